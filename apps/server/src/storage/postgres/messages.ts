import type pg from 'pg';
import type { Message, MessageChange, SystemEvent } from '@chat/protocol';
import { newMessageId } from '../../domain/message-id';
import {
  checkDelete,
  checkEdit,
  checkReact,
  checkSend,
  messageNotFound,
  type MessageFacts,
} from '../../domain/message-rules';
import { applyReaction } from '../../domain/reactions';
import type { Rejection } from '../../domain/rejection';
import { checkStreamWrite, type StreamFacts } from '../../domain/stream-rules';
import {
  toAttachment,
  type AppendOutcome,
  type ChangeOutcome,
  type EndStreamInput,
  type NewMessage,
  type StoredChange,
  type StreamCheckpoint,
} from '../storage';
import { lockAttachments, takeAttachments } from './attachments';
import { audienceRowsSql, audiencesFrom, type AudienceRow } from './audience';
import { changedMessagesSql } from './changed-messages';
import {
  inTransaction,
  inWriteTransactionOpenedWith,
  iso,
  isoOrNull,
  textArrayLiteral,
  type Queryable,
} from './database';
import { MESSAGE_COLUMNS, toMessage, type MessageRow } from './rows';
import { indexText, indexTextOf } from './search';

/**
 * Messages: sends, the three kinds of change, and the reads of join, history and
 * gap filling. Every write holds its conversation's row lock (FOR NO KEY UPDATE,
 * or the UPDATE of its counter) until it commits, so the writers of one
 * conversation take turns across processes and its counter stays gapless. The
 * rules of edit, unsend and reaction are message-rules.ts.
 */

/** Attempts of a batch that met a (sender, client_id) being stored by another process. */
const APPEND_ATTEMPTS = 3;

/** Thrown inside the batch's transaction to roll it back and run it again. */
class ConcurrentDuplicate extends Error {
  override name = 'ConcurrentDuplicate';
}

/** A message as read for a change: its row and whether the acting user may see it. */
type LoadedRow = MessageRow & { actor_is_member: boolean };

/** What message-rules.ts checks, with its times as ISO strings. */
function factsOf(row: LoadedRow | null): MessageFacts | null {
  return (
    row && {
      sender_id: row.sender_id,
      created_at: iso(row.created_at),
      deleted_at: isoOrNull(row.deleted_at),
      edit_count: row.edit_count,
      kind: row.kind,
      actor_is_member: row.actor_is_member,
    }
  );
}

/**
 * What a batch reads first, sent with its BEGIN (database.ts
 * inWriteTransactionOpenedWith): lock its conversations, sorted so two batches
 * never wait on each other in a cycle; then, in a statement that starts once
 * the locks are held, whether each sender is a member and the id its
 * (sender, client_id) pair is already stored under (the pair is unique per
 * sender, whatever conversation the retry names), one row per item in order.
 */
function appendOpening(batch: readonly NewMessage[]): string[] {
  const conversationIds = [...new Set(batch.map((item) => item.conversation_id))];
  return [
    `SELECT id, last_seq FROM conversations WHERE id = ANY(${textArrayLiteral(conversationIds)})
     ORDER BY id COLLATE "C" FOR NO KEY UPDATE`,
    `SELECT EXISTS (SELECT 1 FROM conversation_members cm
         WHERE cm.conversation_id = k.conversation_id AND cm.user_id = k.sender_id) AS member,
       (SELECT m.id FROM messages m WHERE m.sender_id = k.sender_id AND m.client_id = k.client_id) AS stored_id
     FROM unnest(${textArrayLiteral(batch.map((item) => item.conversation_id))},
       ${textArrayLiteral(batch.map((item) => item.sender_id))},
       ${textArrayLiteral(batch.map((item) => item.client_id))}) WITH ORDINALITY AS k (conversation_id, sender_id, client_id, n)
     ORDER BY k.n`,
  ];
}

export function messageQueries(pool: pg.Pool) {
  /**
   * The batch in one transaction: its conversations locked and every item
   * checked with one set-based read (`opened`, sent with the BEGIN: see
   * appendOpening), more reads only for what some sends name (mentions,
   * replies, uploads, duplicates), the accepted ones numbered from the locked
   * counters, then one named statement writes the rows and the counters and
   * reads the audience. A rejected item is decided before anything is written,
   * so it affects no other. Issue 13: three round trips (BEGIN with the lock
   * and the checks, the write, COMMIT); there were eight, then five.
   *
   * ON CONFLICT DO NOTHING covers a (sender, client_id) that another process is
   * storing at the same moment (invisible to the duplicate check): the INSERT waits
   * for it, skips the row, and the whole batch rolls back and runs again, now
   * seeing the stored message as a duplicate. Skipping alone would leave a gap.
   */
  async function appendBatch(
    client: pg.PoolClient,
    batch: NewMessage[],
    [locked, facts]: pg.QueryResult[],
  ): Promise<AppendOutcome[]> {
    const lockedRows = (locked?.rows ?? []) as Array<{ id: string; last_seq: number }>;
    const counters = new Map(lockedRows.map((row) => [row.id, row.last_seq]));
    const candidates = batch.filter((item) => counters.has(item.conversation_id));

    const isMember = new Set<string>();
    const storedIds: string[] = [];
    ((facts?.rows ?? []) as Array<{ member: boolean; stored_id: string | null }>).forEach((row, index) => {
      const item = batch[index] as NewMessage;
      if (!counters.has(item.conversation_id)) return;
      if (row.member) isMember.add(pair(item.conversation_id, item.sender_id));
      if (row.stored_id !== null) storedIds.push(row.stored_id);
    });
    // Duplicates (a client's retry) are rare: their rows are read only when there are some.
    const stored =
      storedIds.length === 0
        ? { rows: [] }
        : await client.query<MessageRow>(
            `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.id = ANY($1::text[])`,
            [storedIds],
          );
    const bySenderClientId = new Map(
      stored.rows.map((row) => [pair(row.sender_id, row.client_id), toMessage(row)]),
    );

    // Mentions are checked against every member, read only for conversations whose sends mention someone.
    const mentioning = [
      ...new Set(candidates.filter((item) => item.mentions.length > 0).map((item) => item.conversation_id)),
    ];
    const everyone =
      mentioning.length === 0
        ? { rows: [] }
        : await client.query<{ conversation_id: string; user_id: string }>(
            'SELECT conversation_id, user_id FROM conversation_members WHERE conversation_id = ANY($1::text[])',
            [mentioning],
          );
    const everyoneOf = new Map<string, Set<string>>();
    for (const row of everyone.rows) {
      const set = everyoneOf.get(row.conversation_id) ?? new Set<string>();
      set.add(row.user_id);
      everyoneOf.set(row.conversation_id, set);
    }

    const replyIds = [
      ...new Set(candidates.flatMap((item) => (item.reply_to === null ? [] : [item.reply_to]))),
    ];
    const replies =
      replyIds.length === 0
        ? { rows: [] }
        : await client.query<{ id: string; conversation_id: string }>(
            'SELECT id, conversation_id FROM messages WHERE id = ANY($1::text[])',
            [replyIds],
          );
    const conversationOf = new Map(replies.rows.map((row) => [row.id, row.conversation_id]));

    // Section 11: the uploads the batch names, locked; a send that takes one marks it taken for the next.
    const uploads = new Map(
      (
        await lockAttachments(client, [...new Set(candidates.flatMap((item) => item.attachment_ids ?? []))])
      ).map((attachment) => [attachment.id, attachment]),
    );
    const taken: Array<{ attachment_id: string; message_id: string }> = [];

    const created: Message[] = [];
    const outcomes = batch.map((item): AppendOutcome => {
      const last = counters.get(item.conversation_id);
      const key = pair(item.sender_id, item.client_id);
      const refusal = checkSend(item, {
        membership:
          last === undefined
            ? 'no_conversation'
            : isMember.has(pair(item.conversation_id, item.sender_id))
              ? 'member'
              : 'not_member',
        duplicate: bySenderClientId.get(key) ?? null,
        replyToConversationId: item.reply_to === null ? null : (conversationOf.get(item.reply_to) ?? null),
        memberIds: everyoneOf.get(item.conversation_id) ?? new Set(),
        attachments: (item.attachment_ids ?? []).flatMap((id) => uploads.get(id) ?? []),
      });
      if (refusal) return refusal;
      // An unknown conversation was refused just above, so its counter was read.
      const seq = (last as number) + 1;
      counters.set(item.conversation_id, seq);
      const message: Message = {
        ...newMessage(item.conversation_id, seq, item.sender_id, new Date().toISOString()),
        client_id: item.client_id,
        body: item.body,
        reply_to: item.reply_to,
        mentions: [...new Set(item.mentions)],
        state: item.streaming ? 'streaming' : 'complete',
      };
      for (const id of item.attachment_ids ?? []) {
        const upload = uploads.get(id);
        // checkSend accepted the send, so every id is a stored upload of the sender no message holds.
        if (!upload) throw new Error(`attachment ${id} accepted but not read`);
        uploads.set(id, { ...upload, message_id: message.id });
        message.attachments.push(toAttachment(upload));
        taken.push({ attachment_id: id, message_id: message.id });
      }
      created.push(message);
      bySenderClientId.set(key, message);
      conversationOf.set(message.id, message.conversation_id);
      return { status: 'created', message };
    });
    if (created.length === 0) return outcomes;

    const advanced = [...new Set(created.map((m) => m.conversation_id))];
    // The rows and the counters in one statement (both CTEs run to completion whatever the
    // SELECT reads), which also reads the conversations' audience for pushes and webhooks.
    const written = await client.query<{ inserted: number; audiences: AudienceRow[] }>({
      name: 'append-write',
      text: `WITH inserted AS (
         INSERT INTO messages (id, conversation_id, seq, updated_seq, sender_id, client_id, body, reply_to,
           created_at, mentions, search_text, attachments, state)
         SELECT r.id, r.conversation_id, r.seq, r.seq, r.sender_id, r.client_id, r.body, r.reply_to, r.created_at,
           r.mentions::json, r.search_text, r.attachments::json, r.state
         FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[],
           $8::timestamptz[], $9::text[], $10::text[], $11::text[], $12::text[])
           AS r (id, conversation_id, seq, sender_id, client_id, body, reply_to, created_at, mentions, search_text,
             attachments, state)
         ON CONFLICT (sender_id, client_id) DO NOTHING
         RETURNING 1
       ), advanced AS (
         UPDATE conversations c SET last_seq = v.last_seq
         FROM unnest($13::text[], $14::int[]) AS v (id, last_seq) WHERE c.id = v.id
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM inserted)::int AS inserted,
         (SELECT COALESCE(json_agg(a), '[]'::json) FROM (${audienceRowsSql(13)}) a) AS audiences`,
      values: [
        created.map((m) => m.id),
        created.map((m) => m.conversation_id),
        created.map((m) => m.seq),
        created.map((m) => m.sender_id),
        created.map((m) => m.client_id),
        created.map((m) => m.body),
        created.map((m) => m.reply_to),
        created.map((m) => m.created_at),
        created.map((m) => JSON.stringify(m.mentions)),
        created.map((m) => indexText(m.body)),
        created.map((m) => JSON.stringify(m.attachments)),
        created.map((m) => m.state),
        advanced,
        advanced.map((id) => counters.get(id)),
      ],
    });
    if (written.rows[0]?.inserted !== created.length) throw new ConcurrentDuplicate();
    // Section 14: each streaming message gets its checkpoint (stream-registry.ts sweeps the stale ones).
    const streaming = created.filter((m) => m.state === 'streaming');
    if (streaming.length > 0) {
      await client.query(
        `INSERT INTO message_streams (message_id, conversation_id, sender_id, body, last_activity_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])`,
        [
          streaming.map((m) => m.id),
          streaming.map((m) => m.conversation_id),
          streaming.map((m) => m.sender_id),
          streaming.map((m) => m.body),
          streaming.map((m) => m.created_at),
        ],
      );
    }
    await takeAttachments(client, taken);

    const mentions = created.flatMap((m) => m.mentions.map((userId) => ({ userId, message: m })));
    if (mentions.length > 0) {
      await client.query(
        `INSERT INTO message_mentions (user_id, conversation_id, seq, message_id)
         SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[])`,
        [
          mentions.map((m) => m.userId),
          mentions.map((m) => m.message.conversation_id),
          mentions.map((m) => m.message.seq),
          mentions.map((m) => m.message.id),
        ],
      );
    }

    const audiences = audiencesFrom(written.rows[0]?.audiences ?? []);
    for (const outcome of outcomes) {
      if (outcome.status !== 'created') continue;
      outcome.audience = audiences.get(outcome.message.conversation_id)?.(outcome.message.sender_id);
    }
    return outcomes;
  }

  /**
   * Locks the conversation of `messageId`, then reads the message (a statement
   * that starts after the lock: it sees the last committed change) with whether
   * `actor` may see it. Null when the message does not exist.
   */
  async function lockAndLoad(
    client: pg.PoolClient,
    messageId: string,
    actor: string,
  ): Promise<LoadedRow | null> {
    const locked = await client.query(
      `SELECT id FROM conversations WHERE id = (SELECT conversation_id FROM messages WHERE id = $1)
       FOR NO KEY UPDATE`,
      [messageId],
    );
    if (locked.rowCount === 0) return null;
    const { rows } = await client.query<LoadedRow>(
      `SELECT ${MESSAGE_COLUMNS}, EXISTS (SELECT 1 FROM conversation_members cm
         WHERE cm.conversation_id = m.conversation_id AND cm.user_id = $2) AS actor_is_member
       FROM messages m WHERE m.id = $1`,
      [messageId, actor],
    );
    return rows[0] ?? null;
  }

  /** Persists a change under the conversation's next counter value, in one statement. */
  async function commitChange(
    client: pg.PoolClient,
    row: MessageRow,
    change: MessageChange,
  ): Promise<ChangeOutcome> {
    const { rows } = await client.query<MessageRow>(
      `WITH counter AS (
         UPDATE conversations SET last_seq = last_seq + 1 WHERE id = $2 RETURNING last_seq
       )
       UPDATE messages m SET updated_seq = counter.last_seq, body = $3, reactions = $4::json,
         edit_count = $5, last_change = $6, edited_at = $7, deleted_at = $8, state = $9, search_text = $10,
         attachments = $11::json
       FROM counter WHERE m.id = $1
       RETURNING ${MESSAGE_COLUMNS}`,
      [
        row.id,
        row.conversation_id,
        row.body,
        JSON.stringify(row.reactions),
        row.edit_count,
        change,
        row.edited_at,
        row.deleted_at,
        row.state,
        // Every change writes it, so a row migrated from v1 is indexed by its first change too.
        indexTextOf(row),
        JSON.stringify(row.attachments),
      ],
    );
    const changed = rows[0];
    if (!changed) throw new Error(`message ${row.id} vanished while locked`);
    return { status: 'changed', message: toMessage(changed), change };
  }

  /** One change of one message, decided by `decide` on the locked, current row. */
  function changeMessage(
    messageId: string,
    actor: string,
    decide: (
      row: LoadedRow | null,
    ) => Rejection | { unchanged: LoadedRow } | { row: MessageRow; change: MessageChange },
  ): Promise<ChangeOutcome> {
    return inTransaction(pool, 'write', async (client) => {
      const decision = decide(await lockAndLoad(client, messageId, actor));
      if ('status' in decision) return decision;
      if ('unchanged' in decision) return { status: 'unchanged', message: toMessage(decision.unchanged) };
      return commitChange(client, decision.row, decision.change);
    });
  }

  async function updatedAfter(db: Queryable, conversationId: string, sinceSeq: number, limit: number) {
    const { rows } = await db.query<MessageRow>(changedMessagesSql('$1', '$2::bigint', '$3'), [
      conversationId,
      sinceSeq,
      limit,
    ]);
    return rows;
  }

  return {
    /** Outcomes in input order; a rejected item does not affect the others. */
    async appendMessages(batch: NewMessage[]): Promise<AppendOutcome[]> {
      if (batch.length === 0) return [];
      for (let attempt = 1; ; attempt++) {
        try {
          return await inWriteTransactionOpenedWith(pool, appendOpening(batch), (client, opened) =>
            appendBatch(client, batch, opened),
          );
        } catch (error) {
          if (!(error instanceof ConcurrentDuplicate) || attempt >= APPEND_ATTEMPTS) throw error;
        }
      }
    },

    editMessage(input: {
      message_id: string;
      user_id: string;
      body: string;
      now: Date;
    }): Promise<ChangeOutcome> {
      return changeMessage(input.message_id, input.user_id, (row) => {
        const rejection = checkEdit(factsOf(row), input.user_id, input.now, input.body);
        if (rejection || !row) return rejection ?? messageNotFound();
        // The same text again changes nothing: no seq taken, no edit counted.
        if (row.body === input.body) return { unchanged: row };
        const edited = {
          ...row,
          body: input.body,
          edit_count: row.edit_count + 1,
          edited_at: input.now.toISOString(),
        };
        return { row: edited, change: 'edited' };
      });
    },

    deleteMessage(input: { message_id: string; user_id: string; now: Date }): Promise<ChangeOutcome> {
      return changeMessage(input.message_id, input.user_id, (row) => {
        const rejection = checkDelete(factsOf(row), input.user_id, input.now);
        if (rejection || !row) return rejection ?? messageNotFound();
        // Its attachments go with it: the records stay for the sweep to delete their bytes.
        const deleted = {
          ...row,
          body: '',
          reactions: {},
          attachments: [],
          deleted_at: input.now.toISOString(),
        };
        return { row: deleted, change: 'deleted' };
      });
    },

    setReaction(input: {
      message_id: string;
      user_id: string;
      reaction: string | null;
    }): Promise<ChangeOutcome> {
      return changeMessage(input.message_id, input.user_id, (row) => {
        const rejection = checkReact(factsOf(row));
        if (rejection || !row) return rejection ?? messageNotFound();
        const next = applyReaction(row.reactions, input.user_id, input.reaction);
        if (!next) return { unchanged: row };
        return { row: { ...row, reactions: next }, change: 'reaction' };
      });
    },

    async streamFacts(messageId: string, actorId: string): Promise<StreamFacts | null> {
      const { rows } = await pool.query<StreamFacts & { deleted_at: Date | null }>(
        `SELECT m.conversation_id, m.sender_id, m.state, m.deleted_at, EXISTS (SELECT 1 FROM conversation_members cm
           WHERE cm.conversation_id = m.conversation_id AND cm.user_id = $2) AS actor_is_member
         FROM messages m WHERE m.id = $1`,
        [messageId, actorId],
      );
      const row = rows[0];
      return row ? { ...row, deleted_at: isoOrNull(row.deleted_at) } : null;
    },

    endStream(input: EndStreamInput): Promise<ChangeOutcome> {
      return inTransaction(pool, 'write', async (client) => {
        const row = await lockAndLoad(client, input.message_id, input.user_id);
        const facts = row && {
          ...row,
          deleted_at: isoOrNull(row.deleted_at),
          actor_is_member: row.actor_is_member || input.by_server === true,
        };
        const rejection = checkStreamWrite(facts, input.user_id, input.body);
        // A checkpoint of a message that stopped streaming (unsent meanwhile) is dropped.
        if (!rejection || rejection.code === 'conflict') {
          await client.query('DELETE FROM message_streams WHERE message_id = $1', [input.message_id]);
        }
        if (rejection || !row) return rejection ?? messageNotFound();
        return commitChange(client, { ...row, body: input.body, state: input.state }, 'completed');
      });
    },

    async checkpointStream(input: { message_id: string; body: string; now: Date }): Promise<void> {
      await pool.query('UPDATE message_streams SET body = $2, last_activity_at = $3 WHERE message_id = $1', [
        input.message_id,
        input.body,
        input.now,
      ]);
    },

    async staleStreams(before: Date, limit: number): Promise<StreamCheckpoint[]> {
      const { rows } = await pool.query<StreamCheckpoint>(
        `SELECT message_id, conversation_id, sender_id, body FROM message_streams
         WHERE last_activity_at < $1 ORDER BY last_activity_at LIMIT $2`,
        [before, Math.max(0, Math.trunc(limit))],
      );
      return rows;
    },

    async changesSince(conversationId: string, sinceSeq: number, limit: number): Promise<StoredChange[]> {
      const rows = await updatedAfter(pool, conversationId, sinceSeq, Math.max(0, Math.trunc(limit)));
      return rows.map((row) => ({ message: toMessage(row), change: row.last_change ?? 'created' }));
    },
  };
}

/**
 * System messages (section 8) recording `events` in order, by `actorId`, at the
 * conversation's next seqs. The caller holds the conversation's row lock.
 */
export async function appendSystem(
  client: pg.PoolClient,
  conversationId: string,
  actorId: string,
  events: SystemEvent[],
  now: string,
): Promise<Message[]> {
  const counter = await client.query<{ last_seq: number }>(
    'UPDATE conversations SET last_seq = last_seq + $2 WHERE id = $1 RETURNING last_seq',
    [conversationId, events.length],
  );
  const last = counter.rows[0]?.last_seq;
  if (last === undefined) throw new Error(`conversation ${conversationId} does not exist`);
  const first = last - events.length + 1;
  const messages = events.map((event, i): Message => ({
    ...newMessage(conversationId, first + i, actorId, now),
    kind: 'system',
    event,
  }));
  await client.query(
    `INSERT INTO messages (id, conversation_id, seq, updated_seq, sender_id, client_id, body, created_at,
       kind, event, search_text)
     SELECT r.id, $2, r.seq, r.seq, $3, NULL, '', $4, 'system', r.event::json, ''
     FROM unnest($1::text[], $5::int[], $6::text[]) AS r (id, seq, event)`,
    [
      messages.map((m) => m.id),
      conversationId,
      actorId,
      now,
      messages.map((m) => m.seq),
      messages.map((m) => JSON.stringify(m.event)),
    ],
  );
  return messages;
}

/** A message with every field at its default: a text message, never changed. */
function newMessage(conversationId: string, seq: number, senderId: string, now: string): Message {
  return {
    id: newMessageId(),
    conversation_id: conversationId,
    seq,
    updated_seq: seq,
    sender_id: senderId,
    client_id: null,
    body: '',
    reply_to: null,
    created_at: now,
    edited_at: null,
    deleted_at: null,
    reactions: {},
    kind: 'text',
    event: null,
    attachments: [],
    mentions: [],
    state: 'complete',
  };
}

/** A collision-free map key of two ids. */
function pair(a: string, b: string | null): string {
  return JSON.stringify([a, b]);
}
