import type pg from 'pg';
import { JOIN_PAGE_SIZE, JOIN_SINCE_MAX, type ConversationMember, type Message } from '@chat/protocol';
import type { JoinSnapshot } from '../storage';
import { changedMessagesSql } from './changed-messages';
import { MEMBERS_JSON, messageJson } from './conversation-view';

/**
 * What a join and a history page read, each in ONE named statement that
 * PostgreSQL answers as JSON (conversation-view.ts): one round trip, one
 * snapshot (a statement sees one), planned once per connection, and no Date or
 * row mapping in JS (issue 13). The join took five round trips before (BEGIN,
 * counter, members, page, COMMIT), each a wait for a core on a busy machine.
 *
 * Each fetches one message more than it returns, to tell `has_more`.
 */

/** Messages of `c` with seq below $2, the newest $3 of them, in seq order. */
const PAGE_JSON = `(SELECT COALESCE(json_agg(${messageJson('p')} ORDER BY p.seq), '[]'::json) FROM (
    SELECT * FROM messages x WHERE x.conversation_id = c.id AND x.seq < $2::bigint
    ORDER BY x.seq DESC LIMIT $3
  ) p)`;

/** Messages of `c` with updated_seq above $2, the first $3 of them, in updated_seq order. */
const UPDATED_AFTER_JSON = `(SELECT COALESCE(json_agg(${messageJson('p')} ORDER BY p.updated_seq), '[]'::json) FROM (
    ${changedMessagesSql('c.id', '$2::bigint', '$3')}
  ) p)`;

const JOIN_NEWEST = `SELECT c.last_seq, ${MEMBERS_JSON} AS members, ${PAGE_JSON} AS messages
  FROM conversations c WHERE c.id = $1`;

const JOIN_SINCE = `SELECT c.last_seq, ${MEMBERS_JSON} AS members, ${UPDATED_AFTER_JSON} AS messages
  FROM conversations c WHERE c.id = $1`;

const PAGE = `SELECT ${PAGE_JSON} AS messages FROM conversations c WHERE c.id = $1`;

interface SnapshotRow {
  last_seq: number;
  members: ConversationMember[];
  messages: Message[];
}

export function historyQueries(pool: pg.Pool) {
  return {
    /** Counter, members and messages in one statement; an unknown conversation has none of them. */
    async joinSnapshot(conversationId: string, sinceSeq: number | undefined): Promise<JoinSnapshot> {
      const { rows } = await pool.query<SnapshotRow>(
        sinceSeq === undefined
          ? {
              name: 'join-newest',
              text: JOIN_NEWEST,
              values: [conversationId, Number.MAX_SAFE_INTEGER, JOIN_PAGE_SIZE + 1],
            }
          : { name: 'join-since', text: JOIN_SINCE, values: [conversationId, sinceSeq, JOIN_SINCE_MAX + 1] },
      );
      const row = rows[0];
      if (!row) return { last_seq: 0, members: [], messages: [], has_more: false };
      const { last_seq, members, messages } = row;
      if (sinceSeq === undefined) return { last_seq, members, ...newestOf(messages, JOIN_PAGE_SIZE) };
      return {
        last_seq,
        members,
        messages: messages.slice(0, JOIN_SINCE_MAX),
        has_more: messages.length > JOIN_SINCE_MAX,
      };
    },

    async messagesBefore(
      conversationId: string,
      beforeSeq: number | undefined,
      limit: number,
    ): Promise<{ messages: Message[]; has_more: boolean }> {
      const wanted = Math.max(0, Math.trunc(limit));
      const { rows } = await pool.query<{ messages: Message[] }>({
        name: 'messages-before',
        text: PAGE,
        values: [conversationId, beforeSeq ?? Number.MAX_SAFE_INTEGER, wanted + 1],
      });
      return newestOf(rows[0]?.messages ?? [], wanted);
    },
  };
}

/** The newest `limit` of a page fetched one longer, in seq order; `has_more` when it was longer. */
function newestOf(messages: Message[], limit: number): { messages: Message[]; has_more: boolean } {
  return {
    messages: messages.length > limit ? messages.slice(messages.length - limit) : messages,
    has_more: messages.length > limit,
  };
}
