import type { Database } from 'better-sqlite3';

/**
 * Rows waiting before a send's transaction indexes them: the cost of indexing
 * in bulk is nearly flat in the row count, while each commit that adds to the
 * index writes FTS5 a segment of its own (issue 13: ~45 µs of CPU per message
 * indexed row by row, ~2 µs in bulk). At this size the batch that indexes takes
 * about a millisecond longer.
 */
export const SEARCH_INDEX_BATCH = 500;

/**
 * The full-text index of messages, filled in bulk (migration 010): rows up to
 * `indexed_through` are indexed as they read now, rows above it wait. The
 * batch of sends that brings the waiting rows to `SEARCH_INDEX_BATCH` indexes
 * them in its own transaction (one commit, and a failure stores nothing); a
 * search indexes whatever still waits before it reads. Every function runs
 * inside the caller's write transaction.
 */
export function searchIndexQueries(db: Database) {
  const state = db.prepare<[], { through: number; last: number }>(
    `SELECT indexed_through AS through, (SELECT coalesce(max(rowid), 0) FROM messages) AS last
     FROM search_index_state`,
  );
  const indexRange = db.prepare<[number, number]>(
    `INSERT INTO messages_fts (rowid, search_text)
     SELECT rowid, search_text FROM messages WHERE rowid > ? AND rowid <= ?`,
  );
  const mark = db.prepare<[number]>('UPDATE search_index_state SET indexed_through = ?');

  function waiting(): number {
    const row = state.get();
    return row ? row.last - row.through : 0;
  }

  /** Indexes every waiting row; returns how many rowids it covered. */
  function catchUp(): number {
    const row = state.get();
    if (!row || row.last <= row.through) return 0;
    indexRange.run(row.through, row.last);
    mark.run(row.last);
    return row.last - row.through;
  }

  return {
    waiting,
    catchUp,
    catchUpIfBehind(): void {
      if (waiting() >= SEARCH_INDEX_BATCH) catchUp();
    },
  };
}
