-- The whole schema of the SQLite storage: users and embedded auth, conversations
-- with their members and per-conversation counter, messages.
-- Times are ISO 8601 text (Date.toISOString()), which sorts chronologically.

CREATE TABLE users (
  id            TEXT PRIMARY KEY,
  -- Lower-cased. Not unique: a token-provisioned user may carry an e-mail that
  -- another id already holds. Password (embedded auth) users are unique below.
  email         TEXT NOT NULL,
  display_name  TEXT NOT NULL,
  password_hash TEXT,
  user_metadata TEXT NOT NULL DEFAULT '{}',
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);
CREATE INDEX users_email ON users (email);
CREATE UNIQUE INDEX users_password_email ON users (email) WHERE password_hash IS NOT NULL;

CREATE TABLE auth_sessions (
  id         TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL REFERENCES users (id),
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id);

CREATE TABLE refresh_tokens (
  token_hash TEXT PRIMARY KEY,
  session_id TEXT NOT NULL REFERENCES auth_sessions (id),
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

CREATE TABLE conversations (
  id         TEXT PRIMARY KEY,
  title      TEXT,
  is_group   INTEGER NOT NULL CHECK (is_group IN (0, 1)),
  -- directKey(a, b) for a 1:1, NULL for a group: one 1:1 per pair.
  direct_key TEXT UNIQUE,
  -- The counter every persisted change takes its next value from (0 when empty).
  last_seq   INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);

-- A rowid table on purpose: rowid order is the order members were added in.
CREATE TABLE conversation_members (
  conversation_id TEXT NOT NULL REFERENCES conversations (id),
  user_id         TEXT NOT NULL REFERENCES users (id),
  read_seq        INTEGER NOT NULL DEFAULT 0,
  joined_at       TEXT NOT NULL,
  PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX conversation_members_user ON conversation_members (user_id);

CREATE TABLE messages (
  id              TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL REFERENCES conversations (id),
  seq             INTEGER NOT NULL,
  updated_seq     INTEGER NOT NULL,
  sender_id       TEXT NOT NULL REFERENCES users (id),
  client_id       TEXT NOT NULL,
  body            TEXT NOT NULL,
  reply_to        TEXT REFERENCES messages (id),
  -- JSON: reaction -> user ids in the order they reacted; '{}' when none.
  reactions       TEXT NOT NULL DEFAULT '{}',
  edit_count      INTEGER NOT NULL DEFAULT 0,
  -- The kind of the latest change, NULL while never changed (gap filling).
  last_change     TEXT CHECK (last_change IN ('edited', 'deleted', 'reaction')),
  created_at      TEXT NOT NULL,
  edited_at       TEXT,
  deleted_at      TEXT,
  UNIQUE (sender_id, client_id),
  UNIQUE (conversation_id, seq)
);
CREATE INDEX messages_conversation_updated ON messages (conversation_id, updated_seq);
