-- Issue 13 (costs flat as data grows): the conversation list counts each
-- conversation's unread messages (other members' text, not deleted, above the
-- viewer's read_seq). Through UNIQUE (conversation_id, seq) every counted row
-- is also fetched from the heap, a block per row. This partial index holds
-- exactly the rows that can count, with the one column the count still tests,
-- so the count is an index-only scan.
CREATE INDEX messages_unread ON messages (conversation_id, seq) INCLUDE (sender_id)
  WHERE deleted_at IS NULL AND kind = 'text';
