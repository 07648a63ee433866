import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Conversation, MemberRole } from '@chat/protocol';
import { directKey } from '../../domain/conversation-rules';
import { byTenure, type GroupFacts } from '../../domain/group-rules';
import { checkMembership, type Membership } from '../../domain/membership-rules';
import type { Rejection } from '../../domain/rejection';
import { jsonText } from '../json-pieces';
import type { NewConversation, ReadOutcome, SettingsChanges } from '../storage';
import { inTransaction, iso, type Queryable } from './database';
import { conversationListQueries } from './conversation-list';
import { CONVERSATION_JSON, LAST_MESSAGE_JOIN } from './conversation-view';

/**
 * Conversations, their members and their counter. A conversation as a viewer sees
 * it (members, last message, unread count) is ONE statement that PostgreSQL
 * answers as JSON text (conversation-view.ts); so is the viewer's list, which
 * builds again only what moved since this process last listed
 * (conversation-list.ts).
 */

const ONE_CONVERSATION = `SELECT ${CONVERSATION_JSON} AS conversation
  FROM conversations c
  LEFT JOIN conversation_members me ON me.conversation_id = c.id AND me.user_id = $1
  ${LAST_MESSAGE_JOIN}
  WHERE c.id = $2`;

export function conversationQueries(pool: pg.Pool) {
  async function membership(db: Queryable, conversationId: string, userId: string): Promise<Membership> {
    const { rows } = await db.query<{ member: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM conversation_members WHERE conversation_id = c.id AND user_id = $2) AS member
       FROM conversations c WHERE c.id = $1`,
      [conversationId, userId],
    );
    const row = rows[0];
    if (!row) return 'no_conversation';
    return row.member ? 'member' : 'not_member';
  }

  const { listConversationsJson } = conversationListQueries(pool);

  return {
    membership: (conversationId: string, userId: string) => membership(pool, conversationId, userId),

    /**
     * A 1:1 is inserted with ON CONFLICT on its pair's key: when the pair already
     * has one (or another process is creating it right now: the insert waits for
     * it), nothing is inserted and the stored one is returned.
     */
    createConversation(input: NewConversation): Promise<{ id: string; created: boolean }> {
      const others = [...new Set(input.otherIds)].filter((id) => id !== input.creatorId);
      const [only] = others;
      if (only === undefined) {
        return Promise.reject(new Error('a conversation needs a member besides its creator'));
      }
      const key = others.length === 1 ? directKey(input.creatorId, only) : null;
      return inTransaction(pool, 'write', async (client) => {
        const id = randomUUID();
        const now = new Date().toISOString();
        const inserted = await client.query(
          `INSERT INTO conversations (id, title, is_group, direct_key, created_at)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (direct_key) DO NOTHING`,
          [id, key === null ? input.title : null, key === null, key, now],
        );
        if (inserted.rowCount === 0) {
          const { rows } = await client.query<{ id: string }>(
            'SELECT id FROM conversations WHERE direct_key = $1',
            [key],
          );
          const existing = rows[0];
          if (!existing) throw new Error(`the 1:1 ${key} conflicted but was not found`);
          return { id: existing.id, created: false };
        }
        // The creator of a group is its first admin; a 1:1 has none.
        await client.query(
          `INSERT INTO conversation_members (conversation_id, user_id, position, joined_at, role)
           SELECT $1, u.id, u.position - 1, $3,
             CASE WHEN $4 AND u.position = 1 THEN 'admin' ELSE 'member' END
           FROM unnest($2::text[]) WITH ORDINALITY AS u (id, position)`,
          [id, [input.creatorId, ...others], now, key === null],
        );
        return { id, created: true };
      });
    },

    async getConversation(id: string, viewerId: string): Promise<Conversation | null> {
      const { rows } = await pool.query<{ conversation: string }>({
        name: 'one-conversation',
        text: ONE_CONVERSATION,
        values: [viewerId, id],
      });
      return rows[0] ? (JSON.parse(rows[0].conversation) as Conversation) : null;
    },

    listConversationsJson,

    async listConversations(viewerId: string): Promise<Conversation[]> {
      return (await listConversationsJson(viewerId)).map(
        (json) => JSON.parse(jsonText(json)) as Conversation,
      );
    },

    async memberIds(conversationId: string): Promise<string[]> {
      const { rows } = await pool.query<{ user_id: string }>(
        'SELECT user_id FROM conversation_members WHERE conversation_id = $1 ORDER BY position',
        [conversationId],
      );
      return rows.map((row) => row.user_id);
    },

    lastSeq: (conversationId: string) => lastSeq(pool, conversationId),

    async lastSeqs(conversationIds: readonly string[]): Promise<Map<string, number>> {
      const { rows } = await pool.query<{ id: string; last_seq: number }>({
        name: 'last-seqs',
        text: 'SELECT id, last_seq FROM conversations WHERE id = ANY($1::text[])',
        values: [conversationIds],
      });
      return new Map(rows.map((row) => [row.id, row.last_seq]));
    },

    /**
     * One UPDATE of the member's row: a field left out keeps its value, and
     * pinning again keeps the first pin time (the list orders by it).
     */
    async updateSettings(input: {
      conversation_id: string;
      user_id: string;
      changes: SettingsChanges;
      now: Date;
    }): Promise<{ status: 'changed' } | Rejection> {
      const { muted_until, archived, pinned } = input.changes;
      const updated = await pool.query(
        `UPDATE conversation_members SET
           muted_until = CASE WHEN $3 THEN $4::timestamptz ELSE muted_until END,
           archived = COALESCE($5, archived),
           pinned_at = CASE WHEN $6::boolean IS NULL THEN pinned_at
             WHEN $6 THEN COALESCE(pinned_at, $7::timestamptz) ELSE NULL END
         WHERE conversation_id = $1 AND user_id = $2`,
        [
          input.conversation_id,
          input.user_id,
          muted_until !== undefined,
          muted_until ?? null,
          archived ?? null,
          pinned ?? null,
          input.now.toISOString(),
        ],
      );
      if (updated.rowCount !== 0) return { status: 'changed' };
      // Not a member when the UPDATE ran, whatever a later read says.
      const state = await membership(pool, input.conversation_id, input.user_id);
      return checkMembership(state === 'member' ? 'not_member' : state) as Rejection;
    },

    /**
     * The UPDATE only raises read_seq: a concurrent markRead of the same member
     * waits for the row lock and re-checks the condition against the new value.
     * Only the member's row is written (not the conversation's: migration 012).
     */
    markRead(input: { conversation_id: string; user_id: string; seq: number }): Promise<ReadOutcome> {
      return inTransaction(pool, 'write', async (client) => {
        const { rows } = await client.query<{ last_seq: number; read_seq: number | null }>(
          `SELECT c.last_seq, me.read_seq FROM conversations c
           LEFT JOIN conversation_members me ON me.conversation_id = c.id AND me.user_id = $2
           WHERE c.id = $1`,
          [input.conversation_id, input.user_id],
        );
        const row = rows[0];
        const state: Membership = !row ? 'no_conversation' : row.read_seq === null ? 'not_member' : 'member';
        const refusal = checkMembership(state);
        if (refusal) return refusal;
        // Known to be a member just above: both counters were read.
        const { last_seq, read_seq } = row as { last_seq: number; read_seq: number };
        const wanted = Math.min(Math.trunc(input.seq), last_seq);
        if (wanted <= read_seq) return { status: 'unchanged', read_seq };
        const updated = await client.query<{ read_seq: number }>(
          `UPDATE conversation_members SET read_seq = $3
           WHERE conversation_id = $1 AND user_id = $2 AND read_seq < $3
           RETURNING read_seq`,
          [input.conversation_id, input.user_id, wanted],
        );
        if (updated.rows[0]) return { status: 'changed', read_seq: updated.rows[0].read_seq };
        // Another process raised it meanwhile, at least as far.
        const current = await client.query<{ read_seq: number }>(
          'SELECT read_seq FROM conversation_members WHERE conversation_id = $1 AND user_id = $2',
          [input.conversation_id, input.user_id],
        );
        return { status: 'unchanged', read_seq: current.rows[0]?.read_seq ?? wanted };
      });
    },
  };
}

/**
 * Locks the conversation (FOR NO KEY UPDATE, like every writer of it: sends wait
 * for a group change and see its members) and reads what domain/group-rules
 * decides on, members by tenure; null for an unknown conversation.
 */
export async function lockGroupFacts(
  client: pg.PoolClient,
  conversationId: string,
): Promise<GroupFacts | null> {
  const locked = await client.query<{ is_group: boolean; title: string | null }>(
    'SELECT is_group, title FROM conversations WHERE id = $1 FOR NO KEY UPDATE',
    [conversationId],
  );
  const group = locked.rows[0];
  if (!group) return null;
  const { rows } = await client.query<{ user_id: string; role: MemberRole; joined_at: Date }>(
    'SELECT user_id, role, joined_at FROM conversation_members WHERE conversation_id = $1 ORDER BY position',
    [conversationId],
  );
  return {
    is_group: group.is_group,
    title: group.title,
    members: rows
      .map((row) => ({ user_id: row.user_id, role: row.role, joined_at: iso(row.joined_at) }))
      .sort(byTenure)
      .map(({ user_id, role }) => ({ user_id, role })),
  };
}

/** The conversation's counter; 0 when it has none or does not exist. */
export async function lastSeq(db: Queryable, conversationId: string): Promise<number> {
  const { rows } = await db.query<{ last_seq: number }>('SELECT last_seq FROM conversations WHERE id = $1', [
    conversationId,
  ]);
  return rows[0]?.last_seq ?? 0;
}
