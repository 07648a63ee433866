-- Issue 13: the full-text index is filled in bulk, not by a trigger per send.
-- Indexed row by row, each group commit of a few dozen sends wrote FTS5 a segment
-- of its own (and merged them later): about 45 of the ~125 µs of CPU a stored
-- message cost. Rows are now indexed a thousand at a time (storage/sqlite/
-- search.ts), and a search first indexes whatever is still waiting, so it still
-- finds every message stored before it.
--
-- `indexed_through`: every message whose rowid is at or below it is in the index
-- exactly as its row reads now; no message above it is in the index.
CREATE TABLE search_index_state (
  id              INTEGER PRIMARY KEY CHECK (id = 1),
  indexed_through INTEGER NOT NULL
);
-- The insert trigger kept every row indexed until now.
INSERT INTO search_index_state (id, indexed_through) SELECT 1, coalesce(max(rowid), 0) FROM messages;

DROP TRIGGER messages_fts_insert;
DROP TRIGGER messages_fts_delete;
DROP TRIGGER messages_fts_update;

-- A row not indexed yet has nothing to take out: it is indexed as it reads then.
CREATE TRIGGER messages_fts_update AFTER UPDATE OF search_text ON messages
  WHEN old.rowid <= (SELECT indexed_through FROM search_index_state)
BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
  INSERT INTO messages_fts (rowid, search_text) VALUES (new.rowid, new.search_text);
END;

-- One trigger, so its two steps run in this order. The second keeps the invariant
-- when the highest rows go: `messages` has no AUTOINCREMENT, so the next insert
-- takes max(rowid) + 1, which must not fall at or below the mark unindexed.
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, search_text)
    SELECT 'delete', old.rowid, old.search_text
    WHERE old.rowid <= (SELECT indexed_through FROM search_index_state);
  UPDATE search_index_state SET indexed_through = (SELECT coalesce(max(rowid), 0) FROM messages)
    WHERE indexed_through > (SELECT coalesce(max(rowid), 0) FROM messages);
END;
