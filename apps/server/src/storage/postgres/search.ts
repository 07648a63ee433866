import type pg from 'pg';
import { matchRanges, searchWords, type SearchTerms } from '../../domain/search-text';
import type { SearchHit, SearchInput } from '../storage';
import { inTransaction } from './database';
import { MESSAGE_COLUMNS, toMessage, type MessageRow } from './rows';

/** Candidates read per round: the index matches words, the domain then checks each body. */
const ROUND = 100;
/** Rows migrated from v1 are indexed at start, this many per transaction. */
const BACKFILL_BATCH = 1000;
/**
 * to_tsvector drops a word of 2047 bytes or more (with a NOTICE), so a longer word
 * would be unfindable. Words are cut to this many code points (at most 2000 bytes)
 * in the index and in queries, and a cut query word matches as a prefix: the index
 * still returns every message the domain's rule can match.
 */
const MAX_INDEXED_WORD = 500;

/**
 * Message search over a GIN index of `search_vector`, generated from
 * `search_text` (the folded words of domain/search-text.ts) by to_tsvector with
 * the `simple` configuration. The index finds candidates holding every term (the
 * last one as a prefix); `matchRanges` confirms each and gives its ranges, so what
 * counts as a match is decided in one place for both drivers. The text search
 * parser may split a folded word into several lexemes (`1e5x` is `1e5`, `x`); the
 * query's words go through the same parser, so they split the same way.
 *
 * Pages are keyset by (created_at, seq, id) newest first: two messages of one
 * conversation stored in the same millisecond keep their seq order; ids,
 * compared in code-point order (COLLATE "C") as SQLite compares them, make the
 * order total.
 */
export function searchQueries(pool: pg.Pool) {
  return {
    searchMessages(input: SearchInput): Promise<{ results: SearchHit[]; has_more: boolean }> {
      return inTransaction(pool, 'snapshot', async (client) => {
        let cursor: { created_at: Date; seq: number; id: string } | null = null;
        if (input.before !== undefined) {
          const { rows } = await client.query<{ created_at: Date; seq: number; id: string }>(
            'SELECT created_at, seq, id FROM messages WHERE id = $1',
            [input.before],
          );
          cursor = rows[0] ?? null;
          if (!cursor) return { results: [], has_more: false };
        }
        const query = tsQuery(input.terms);
        // A word of letters the parser does not know as letters leaves no lexeme;
        // an empty tsquery matches nothing, so then the domain alone decides.
        const parsed = await client.query<{ usable: boolean }>(
          "SELECT numnode(to_tsquery('simple', $1)) > 0 AS usable",
          [query],
        );
        const indexed = parsed.rows[0]?.usable === true;
        const results: SearchHit[] = [];
        for (;;) {
          const { rows } = await client.query<MessageRow>(
            `SELECT ${MESSAGE_COLUMNS} FROM messages m
             JOIN conversation_members me ON me.conversation_id = m.conversation_id AND me.user_id = $1
             WHERE ${indexed ? "m.search_vector @@ to_tsquery('simple', $2)" : '$2::text IS NOT NULL'}
               AND m.kind = 'text' AND m.deleted_at IS NULL
               AND ($3::text IS NULL OR m.conversation_id = $3)
               AND ($4::timestamptz IS NULL
                 OR (m.created_at, m.seq, m.id COLLATE "C") < ($4::timestamptz, $7::int, $5::text COLLATE "C"))
             ORDER BY m.created_at DESC, m.seq DESC, m.id COLLATE "C" DESC
             LIMIT $6`,
            [
              input.viewer_id,
              query,
              input.conversation_id ?? null,
              cursor?.created_at ?? null,
              cursor?.id ?? null,
              ROUND,
              cursor?.seq ?? null,
            ],
          );
          for (const row of rows) {
            const matches = matchRanges(row.body, input.terms);
            if (matches) results.push({ message: toMessage(row), matches });
            if (results.length > input.limit)
              return { results: results.slice(0, input.limit), has_more: true };
          }
          const last = rows.at(-1);
          if (rows.length < ROUND || !last) return { results, has_more: false };
          cursor = { created_at: last.created_at as Date, seq: last.seq, id: last.id };
        }
      });
    },
  };
}

/** What `search_text` holds for a body: its folded words, each cut to what the index keeps. */
export function indexText(body: string): string {
  return searchWords(body).map(cutWord).join(' ');
}

/** `search_text` of a stored message: only text that is not deleted is ever found. */
export function indexTextOf(row: { kind: string; deleted_at: unknown; body: string }): string {
  return row.kind === 'text' && row.deleted_at === null ? indexText(row.body) : '';
}

/**
 * Fills `search_text` of rows that predate it, in batches, each its own
 * transaction. SKIP LOCKED lets processes starting together share the work, and
 * a row an edit holds is left to that edit (it writes search_text itself).
 * Returns how many rows it filled.
 */
export async function backfillSearchText(pool: pg.Pool): Promise<number> {
  let filled = 0;
  for (;;) {
    const count = await inTransaction(pool, 'write', async (client) => {
      const { rows } = await client.query<{
        id: string;
        body: string;
        kind: string;
        deleted_at: Date | null;
      }>(
        `SELECT id, body, kind, deleted_at FROM messages WHERE search_text IS NULL
         LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [BACKFILL_BATCH],
      );
      if (rows.length === 0) return 0;
      await client.query(
        `UPDATE messages m SET search_text = v.search_text
         FROM unnest($1::text[], $2::text[]) AS v (id, search_text) WHERE m.id = v.id`,
        [rows.map((row) => row.id), rows.map(indexTextOf)],
      );
      return rows.length;
    });
    if (count === 0) return filled;
    filled += count;
  }
}

/**
 * The terms as to_tsquery input: every word quoted (so nothing in it is read as
 * an operator), all required, the last as a prefix. A word cut for the index
 * becomes a prefix too.
 */
function tsQuery(terms: SearchTerms): string {
  const lexeme = (word: string, prefix: boolean) => {
    const cut = cutWord(word);
    const quoted = `'${cut.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
    return prefix || cut !== word ? `${quoted}:*` : quoted;
  };
  const parts = terms.whole.map((word) => lexeme(word, false));
  if (terms.prefix !== null) parts.push(lexeme(terms.prefix, true));
  return parts.join(' & ');
}

function cutWord(word: string): string {
  const points = [...word];
  return points.length > MAX_INDEXED_WORD ? points.slice(0, MAX_INDEXED_WORD).join('') : word;
}
