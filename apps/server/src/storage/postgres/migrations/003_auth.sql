-- Embedded auth v2: one-time tokens of password recovery and e-mail change.
-- Only hashes are stored: a leaked table grants no reset. Refresh-token reuse
-- detection needs no new column (refresh_tokens.revoked_at is the rotation time).

CREATE TABLE auth_one_time_tokens (
  -- sha256 of the token sent in the link.
  token_hash text PRIMARY KEY,
  -- sha256 of the user's id and the short code sent beside the link.
  code_hash  text NOT NULL,
  user_id    text NOT NULL REFERENCES users (id),
  purpose    text NOT NULL CHECK (purpose IN ('recovery', 'email_change')),
  new_email  text,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  -- Wrong codes tried against it; the token is spent at the limit.
  attempts   integer NOT NULL DEFAULT 0,
  used_at    timestamptz
);
CREATE INDEX auth_one_time_tokens_user ON auth_one_time_tokens (user_id, purpose, created_at);
