-- Issue 13 (costs flat as data grows): the conversation list counts each
-- conversation's unread messages (other members' text, not deleted, above the
-- viewer's read_seq). Through UNIQUE (conversation_id, seq) every counted row
-- is also read from the table, a page per row scattered over the file. This
-- partial index holds exactly the rows that can count and every column the count
-- tests (SQLite reads a partial index's WHERE columns from the table unless the
-- index carries them), so the count reads the index alone.
CREATE INDEX messages_unread ON messages (conversation_id, seq, sender_id, kind, deleted_at)
  WHERE deleted_at IS NULL AND kind = 'text';
