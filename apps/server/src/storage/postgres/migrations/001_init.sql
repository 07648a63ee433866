-- The whole schema of the PostgreSQL storage: users and embedded auth, conversations
-- with their members and per-conversation counter, messages. The same tables as
-- the SQLite schema, in PostgreSQL's types. Ids are text like SQLite's (a
-- malformed id finds nothing instead of failing a cast). Times are timestamptz
-- written from Date.toISOString() (milliseconds, like the wire).

CREATE TABLE users (
  id            text PRIMARY KEY,
  -- Lower-cased by the server. Not unique: a token-provisioned user may carry an
  -- e-mail that another id already holds. Password (embedded auth) users are
  -- unique below. text_pattern_ops serves equality and prefix (LIKE 'x%') alike.
  email         text NOT NULL,
  display_name  text NOT NULL,
  -- display_name lower-cased by the server (String.prototype.toLowerCase), so that
  -- searches fold case the same way whatever the database's locale.
  search_name   text NOT NULL,
  password_hash text,
  user_metadata jsonb NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL
);
CREATE INDEX users_email ON users (email text_pattern_ops);
CREATE UNIQUE INDEX users_password_email ON users (email) WHERE password_hash IS NOT NULL;

CREATE TABLE auth_sessions (
  id         text PRIMARY KEY,
  user_id    text NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id);

CREATE TABLE refresh_tokens (
  token_hash text PRIMARY KEY,
  session_id text NOT NULL REFERENCES auth_sessions (id),
  created_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

CREATE TABLE conversations (
  id         text PRIMARY KEY,
  title      text,
  is_group   boolean NOT NULL,
  -- directKey(a, b) for a 1:1, NULL for a group: one 1:1 per pair.
  direct_key text UNIQUE,
  -- The counter every persisted change takes its next value from (0 when empty).
  -- Its row lock is what serialises the writers of one conversation.
  last_seq   integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL
);

CREATE TABLE conversation_members (
  conversation_id text NOT NULL REFERENCES conversations (id),
  user_id         text NOT NULL REFERENCES users (id),
  -- The order members were added in: 0 is the creator.
  position        integer NOT NULL,
  read_seq        integer NOT NULL DEFAULT 0,
  joined_at       timestamptz NOT NULL,
  PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX conversation_members_user ON conversation_members (user_id);

CREATE TABLE messages (
  id              text PRIMARY KEY,
  conversation_id text NOT NULL REFERENCES conversations (id),
  seq             integer NOT NULL,
  updated_seq     integer NOT NULL,
  sender_id       text NOT NULL REFERENCES users (id),
  client_id       text NOT NULL,
  body            text NOT NULL,
  reply_to        text REFERENCES messages (id),
  -- reaction -> user ids in the order they reacted. json, not jsonb: jsonb would
  -- reorder the keys, and clients show reactions in the order they came.
  reactions       json NOT NULL DEFAULT '{}',
  edit_count      integer NOT NULL DEFAULT 0,
  -- The kind of the latest change, NULL while never changed (gap filling).
  last_change     text CHECK (last_change IN ('edited', 'deleted', 'reaction')),
  created_at      timestamptz NOT NULL,
  edited_at       timestamptz,
  deleted_at      timestamptz,
  UNIQUE (sender_id, client_id),
  UNIQUE (conversation_id, seq)
);
CREATE INDEX messages_conversation_updated ON messages (conversation_id, updated_seq);
