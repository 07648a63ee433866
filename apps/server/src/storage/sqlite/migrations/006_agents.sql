-- Protocol v2 section 14: agents. An agent is a user (users.is_agent = 1) plus
-- this row: who owns it, how it is found, how it signs in and where its
-- messages are posted. users.email is NOT NULL and agents have no address, so
-- an agent's users row holds '' (matched by no e-mail search; the protocol
-- shows null). Deleting an agent deletes this row only: its users row stays for
-- the messages it sent, and without this row it is no longer found, added or
-- signed in as.

CREATE TABLE agents (
  user_id               TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  owner_id              TEXT NOT NULL REFERENCES users (id),
  description           TEXT,
  -- 1: anyone finds it and may add it to a conversation; 0: its owner only.
  public                INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1)),
  -- sha256 (hex) of the API key; the key itself is shown once and never stored.
  api_key_hash          TEXT NOT NULL UNIQUE,
  webhook_url           TEXT,
  -- The webhook secret sealed with the server's key (auth/secret-box.ts):
  -- encrypted, not hashed, because deliveries are signed with it.
  webhook_secret_sealed TEXT NOT NULL,
  -- 0 after the receiver answered 410; setting the URL again sets it to 1.
  webhook_active        INTEGER NOT NULL DEFAULT 1 CHECK (webhook_active IN (0, 1)),
  created_at            TEXT NOT NULL
);
CREATE INDEX agents_owner ON agents (owner_id, created_at);
