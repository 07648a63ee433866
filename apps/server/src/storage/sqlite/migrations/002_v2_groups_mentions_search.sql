-- Protocol v2 sections 8-10 and 12: message kinds and system events, mentions,
-- streaming states; member roles and per-member settings; agents as users;
-- full-text search.

ALTER TABLE users ADD COLUMN is_agent INTEGER NOT NULL DEFAULT 0;

ALTER TABLE conversation_members ADD COLUMN role TEXT NOT NULL DEFAULT 'member'
  CHECK (role IN ('admin', 'member'));
-- ISO time, NULL when not muted; a far-future time is "always".
ALTER TABLE conversation_members ADD COLUMN muted_until TEXT;
ALTER TABLE conversation_members ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;
-- When it was pinned (most recently pinned first); NULL when not pinned.
ALTER TABLE conversation_members ADD COLUMN pinned_at TEXT;

-- The creator of a group (its first member) is its first admin.
UPDATE conversation_members SET role = 'admin'
WHERE rowid IN (
  SELECT MIN(cm.rowid) FROM conversation_members cm
  JOIN conversations c ON c.id = cm.conversation_id AND c.is_group = 1
  GROUP BY cm.conversation_id
);

-- messages is rebuilt: client_id becomes nullable (system messages have none)
-- and last_change learns 'completed'; SQLite alters neither in place.
CREATE TABLE messages_v2 (
  id              TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL REFERENCES conversations (id),
  seq             INTEGER NOT NULL,
  updated_seq     INTEGER NOT NULL,
  sender_id       TEXT NOT NULL REFERENCES users (id),
  client_id       TEXT,
  body            TEXT NOT NULL,
  -- Refers to its own table, so dropping the old one orphans nothing; the
  -- rename below makes it `messages (id)`.
  reply_to        TEXT REFERENCES messages_v2 (id),
  reactions       TEXT NOT NULL DEFAULT '{}',
  edit_count      INTEGER NOT NULL DEFAULT 0,
  last_change     TEXT CHECK (last_change IN ('edited', 'deleted', 'reaction', 'completed')),
  created_at      TEXT NOT NULL,
  edited_at       TEXT,
  deleted_at      TEXT,
  kind            TEXT NOT NULL DEFAULT 'text' CHECK (kind IN ('text', 'system')),
  -- JSON of the system event, NULL for text.
  event           TEXT,
  -- JSON array of mentioned user ids.
  mentions        TEXT NOT NULL DEFAULT '[]',
  -- JSON array of attachments (section 11).
  attachments     TEXT NOT NULL DEFAULT '[]',
  state           TEXT NOT NULL DEFAULT 'complete'
    CHECK (state IN ('complete', 'streaming', 'stopped', 'interrupted')),
  -- The folded words search indexes (domain/search-text.ts); '' for what search
  -- never finds (deleted, system); NULL until the storage fills it in (rows
  -- migrated from v1 are filled at the next start).
  search_text     TEXT,
  UNIQUE (sender_id, client_id),
  UNIQUE (conversation_id, seq)
);
INSERT INTO messages_v2 (id, conversation_id, seq, updated_seq, sender_id, client_id, body, reply_to,
  reactions, edit_count, last_change, created_at, edited_at, deleted_at)
SELECT id, conversation_id, seq, updated_seq, sender_id, client_id, body, reply_to,
  reactions, edit_count, last_change, created_at, edited_at, deleted_at
FROM messages ORDER BY rowid;
DROP TABLE messages;
ALTER TABLE messages_v2 RENAME TO messages;
CREATE INDEX messages_conversation_updated ON messages (conversation_id, updated_seq);
-- Search pages newest first across conversations.
CREATE INDEX messages_conversation_created ON messages (conversation_id, created_at, seq, id);

-- One row per (message, mentioned user), for the unread-mention counts.
CREATE TABLE message_mentions (
  user_id         TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  seq             INTEGER NOT NULL,
  message_id      TEXT NOT NULL,
  PRIMARY KEY (user_id, conversation_id, seq, message_id)
) WITHOUT ROWID;

-- Full-text index over search_text, kept current by triggers (external content).
CREATE VIRTUAL TABLE messages_fts USING fts5(
  search_text,
  content = 'messages',
  content_rowid = 'rowid',
  tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT INTO messages_fts (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF search_text ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
  INSERT INTO messages_fts (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
-- Index what is there now (the 'delete' of a trigger must find what it removes).
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
