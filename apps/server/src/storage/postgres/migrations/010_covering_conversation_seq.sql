-- The unread count (conversation-view.ts) reads UNIQUE (conversation_id, seq)
-- itself, which now carries the columns the count tests, instead of the partial
-- index of 009. That index's predicate (deleted_at IS NULL AND kind = 'text')
-- is implied by the search query's, and on a table without statistics (before
-- autovacuum's first ANALYZE) the planner guessed it nearly empty and filtered
-- every message through it: search p95 112-447 ms at 100,000 messages, against
-- 17-49 ms before 009. A unique index the size of the table is never mistaken
-- for a small one, the count stays an index-only scan, and a send writes one
-- index fewer. The constraint is rebuilt under its own lock, like 009's index.
ALTER TABLE messages
  DROP CONSTRAINT messages_conversation_id_seq_key,
  ADD CONSTRAINT messages_conversation_id_seq_key UNIQUE (conversation_id, seq) INCLUDE (sender_id, kind, deleted_at);
DROP INDEX messages_unread;
