-- Issue 13 (costs flat as data grows): every start fills search_text where it is
-- still NULL (rows from before 002), and finding them scanned the whole table: 0.6 s
-- at 1,000,000 messages, on every start. Sends and edits always write search_text,
-- so this partial index holds only the rows left to fill: none once filled, and no
-- entry for a send.
CREATE INDEX messages_search_pending ON messages (conversation_id) WHERE search_text IS NULL;
