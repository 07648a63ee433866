import type { Database } from 'better-sqlite3';
import { matchRanges, searchText, type SearchTerms } from '../../domain/search-text';
import type { SearchHit, SearchInput } from '../storage';
import { MESSAGE_COLUMNS, toMessage, type MessageRow } from './rows';

/** Candidates read per round: the index matches words, the domain then checks each body. */
const ROUND = 100;
/** Rows migrated from v1 are indexed at start, this many per transaction. */
const BACKFILL_BATCH = 1000;

/**
 * Message search over the FTS5 index of `search_text` (folded words, see
 * domain/search-text.ts). The index finds candidates holding every term (the
 * last one as a prefix); `matchRanges` confirms each and gives its ranges, so
 * what counts as a match is decided in one place for both drivers.
 */
export function searchQueries(db: Database) {
  const candidates = db.prepare<
    [
      {
        viewer: string;
        match: string;
        conversation: string | null;
        before_at: string | null;
        before_seq: number | null;
        before_id: string | null;
        limit: number;
      },
    ],
    MessageRow
  >(
    `SELECT ${MESSAGE_COLUMNS} FROM messages_fts f
     JOIN messages m ON m.rowid = f.rowid
     JOIN conversation_members me ON me.conversation_id = m.conversation_id AND me.user_id = :viewer
     WHERE messages_fts MATCH :match
       AND m.kind = 'text' AND m.deleted_at IS NULL
       AND (:conversation IS NULL OR m.conversation_id = :conversation)
       AND (:before_at IS NULL OR (m.created_at, m.seq, m.id) < (:before_at, :before_seq, :before_id))
     ORDER BY m.created_at DESC, m.seq DESC, m.id DESC
     LIMIT :limit`,
  );
  const cursorOf = db.prepare<[string], { created_at: string; seq: number; id: string }>(
    'SELECT created_at, seq, id FROM messages WHERE id = ?',
  );
  const unindexed = db.prepare<
    [number],
    { rowid: number; body: string; kind: string; deleted_at: string | null }
  >('SELECT rowid, body, kind, deleted_at FROM messages WHERE search_text IS NULL LIMIT ?');
  const setSearchText = db.prepare<[string, number]>('UPDATE messages SET search_text = ? WHERE rowid = ?');

  return {
    searchMessages(input: SearchInput): { results: SearchHit[]; has_more: boolean } {
      // Newest first, and within one millisecond by seq (one conversation's order); ids make it total.
      let cursor: { created_at: string; seq: number; id: string } | null = null;
      if (input.before !== undefined) {
        cursor = cursorOf.get(input.before) ?? null;
        if (!cursor) return { results: [], has_more: false };
      }
      const match = ftsQuery(input.terms);
      const results: SearchHit[] = [];
      for (;;) {
        const rows = candidates.all({
          viewer: input.viewer_id,
          match,
          conversation: input.conversation_id ?? null,
          before_at: cursor?.created_at ?? null,
          before_seq: cursor?.seq ?? null,
          before_id: cursor?.id ?? null,
          limit: ROUND,
        });
        for (const row of rows) {
          const matches = matchRanges(row.body, input.terms);
          if (matches) results.push({ message: toMessage(row), matches });
          if (results.length > input.limit) return { results: results.slice(0, input.limit), has_more: true };
        }
        const last = rows.at(-1);
        if (rows.length < ROUND || !last) return { results, has_more: false };
        cursor = { created_at: last.created_at, seq: last.seq, id: last.id };
      }
    },

    /** Fills `search_text` of rows that predate it. Returns how many it filled. */
    backfillSearchText(): number {
      let filled = 0;
      const batch = db.transaction(() => {
        const rows = unindexed.all(BACKFILL_BATCH);
        for (const row of rows) {
          const text = row.kind === 'text' && row.deleted_at === null ? searchText(row.body) : '';
          setSearchText.run(text, row.rowid);
        }
        return rows.length;
      });
      for (let count = batch.immediate(); count > 0; count = batch.immediate()) filled += count;
      return filled;
    },
  };
}

/** Every term as an FTS5 string (words hold only letters and digits), the last as a prefix. */
function ftsQuery(terms: SearchTerms): string {
  const quoted = terms.whole.map((word) => `"${word}"`);
  if (terms.prefix !== null) quoted.push(`"${terms.prefix}"*`);
  return quoted.join(' ');
}
