-- Issue 13: every stored message wrote seven B-trees. This one, made in 002 for
-- search pages newest first, is read by no query: search is driven by the FTS5
-- index and sorts its matches (the plans are in docs/benchmarks.md), and the
-- conversation list finds each last message through UNIQUE (conversation_id, seq).
DROP INDEX messages_conversation_created;
