-- Protocol v2 sections 8-10 and 12: message kinds and system events, mentions,
-- streaming states; member roles and per-member settings; agents as users;
-- full-text search. The same model as the SQLite schema's 002, altered in place.

ALTER TABLE users ADD COLUMN is_agent boolean NOT NULL DEFAULT false;

ALTER TABLE conversation_members
  ADD COLUMN role        text NOT NULL DEFAULT 'member' CHECK (role IN ('admin', 'member')),
  -- NULL when not muted; a far-future time is "always".
  ADD COLUMN muted_until timestamptz,
  ADD COLUMN archived    boolean NOT NULL DEFAULT false,
  -- When it was pinned (most recently pinned first); NULL when not pinned.
  ADD COLUMN pinned_at   timestamptz;

-- The creator of a group (position 0) is its first admin.
UPDATE conversation_members cm SET role = 'admin'
FROM conversations c
WHERE c.id = cm.conversation_id AND c.is_group AND cm.position = 0;

-- 001 named last_change's inline CHECK messages_last_change_check (PostgreSQL's
-- <table>_<column>_check); it is replaced to learn 'completed'.
ALTER TABLE messages
  -- System messages have no client_id; UNIQUE (sender_id, client_id) lets NULLs repeat.
  ALTER COLUMN client_id DROP NOT NULL,
  DROP CONSTRAINT messages_last_change_check,
  ADD CONSTRAINT messages_last_change_check
    CHECK (last_change IN ('edited', 'deleted', 'reaction', 'completed')),
  ADD COLUMN kind        text NOT NULL DEFAULT 'text' CHECK (kind IN ('text', 'system')),
  -- The system event, NULL for text. json, not jsonb, for the same reason as
  -- reactions: the wire shows its keys in the order they were written.
  ADD COLUMN event       json,
  -- Mentioned user ids in the order they were sent.
  ADD COLUMN mentions    json NOT NULL DEFAULT '[]',
  -- Attachments (section 11).
  ADD COLUMN attachments json NOT NULL DEFAULT '[]',
  ADD COLUMN state       text NOT NULL DEFAULT 'complete'
    CHECK (state IN ('complete', 'streaming', 'stopped', 'interrupted')),
  -- The folded words search indexes (postgres/search.ts `indexText`); '' for what
  -- search never finds (deleted, system); NULL until the storage fills it in
  -- (rows migrated from v1 are filled at the next start).
  ADD COLUMN search_text text,
  ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', COALESCE(search_text, ''))) STORED;

CREATE INDEX messages_search ON messages USING gin (search_vector);
-- Search pages newest first, by (created_at, id) in code-point order like SQLite.
-- For a common word the planner walks these newest first and stops at the page
-- (a bitmap of the GIN index would fetch and sort every match); a rare word
-- goes through the GIN index.
CREATE INDEX messages_created ON messages (created_at, seq, id COLLATE "C");
CREATE INDEX messages_conversation_created ON messages (conversation_id, created_at, seq, id COLLATE "C");
-- What the start-up backfill still has to fill: empty once it has run.
CREATE INDEX messages_unindexed ON messages (id) WHERE search_text IS NULL;

-- One row per (message, mentioned user), for the unread-mention counts.
CREATE TABLE message_mentions (
  user_id         text NOT NULL,
  conversation_id text NOT NULL,
  seq             integer NOT NULL,
  message_id      text NOT NULL REFERENCES messages (id),
  PRIMARY KEY (user_id, conversation_id, seq, message_id)
);
