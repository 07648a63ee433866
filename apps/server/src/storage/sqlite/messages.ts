import type { Database } from 'better-sqlite3';
import {
  JOIN_PAGE_SIZE,
  JOIN_SINCE_MAX,
  type Message,
  type MessageChange,
  type SystemEvent,
} from '@chat/protocol';
import { newMessageId } from '../../domain/message-id';
import {
  checkDelete,
  checkEdit,
  checkReact,
  checkSend,
  messageNotFound,
  type MessageFacts,
} from '../../domain/message-rules';
import { searchText } from '../../domain/search-text';
import { checkStreamWrite, type StreamFacts } from '../../domain/stream-rules';
import {
  toAttachment,
  type AppendOutcome,
  type ChangeOutcome,
  type EndStreamInput,
  type JoinSnapshot,
  type NewMessage,
  type StoredChange,
  type StreamCheckpoint,
} from '../storage';
import type { attachmentQueries } from './attachments';
import type { conversationQueries } from './conversations';
import { applyReaction } from '../../domain/reactions';
import { MESSAGE_COLUMNS, toMessage, type MessageRow, type Reactions } from './rows';
import type { searchIndexQueries } from './search-index';
import { RecentJoinParts } from '../join-parts';

/**
 * Messages: sends, the three kinds of change, and the reads of join, history and
 * gap filling. Every write takes the conversation's next counter value in the
 * caller's transaction; the rules of edit, unsend and reaction are message-rules.ts.
 *
 * Plain synchronous functions over statements prepared once; sqlite-storage.ts
 * runs each in a transaction.
 */
export function messageQueries(
  db: Database,
  conversations: ReturnType<typeof conversationQueries>,
  attachments: ReturnType<typeof attachmentQueries>,
  searchIndex: ReturnType<typeof searchIndexQueries>,
) {
  const insert = db.prepare<[MessageRow]>(
    `INSERT INTO messages (id, conversation_id, seq, updated_seq, sender_id, client_id, body, reply_to,
       reactions, edit_count, last_change, created_at, edited_at, deleted_at, kind, event, mentions,
       attachments, state, search_text)
     VALUES (:id, :conversation_id, :seq, :updated_seq, :sender_id, :client_id, :body, :reply_to,
       :reactions, :edit_count, :last_change, :created_at, :edited_at, :deleted_at, :kind, :event, :mentions,
       :attachments, :state, :search_text)`,
  );
  const insertMention = db.prepare<[string, string, number, string]>(
    'INSERT OR IGNORE INTO message_mentions (user_id, conversation_id, seq, message_id) VALUES (?, ?, ?, ?)',
  );
  const bySenderClientId = db.prepare<[string, string], MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.sender_id = ? AND m.client_id = ?`,
  );
  const conversationOf = db
    .prepare<[string], string>('SELECT conversation_id FROM messages WHERE id = ?')
    .pluck();
  const withFacts = db.prepare<[{ id: string; actor: string }], MessageRow & { actor_is_member: 0 | 1 }>(
    `SELECT ${MESSAGE_COLUMNS}, EXISTS (SELECT 1 FROM conversation_members cm
       WHERE cm.conversation_id = m.conversation_id AND cm.user_id = :actor) AS actor_is_member
     FROM messages m WHERE m.id = :id`,
  );
  const update = db.prepare<[MessageRow]>(
    `UPDATE messages SET updated_seq = :updated_seq, body = :body, reactions = :reactions,
       edit_count = :edit_count, last_change = :last_change, edited_at = :edited_at, deleted_at = :deleted_at,
       state = :state, search_text = :search_text, attachments = :attachments
     WHERE id = :id`,
  );
  const insertStream = db.prepare<[string, string, string, string, string]>(
    `INSERT INTO message_streams (message_id, conversation_id, sender_id, body, last_activity_at)
     VALUES (?, ?, ?, ?, ?)`,
  );
  const deleteStream = db.prepare<[string]>('DELETE FROM message_streams WHERE message_id = ?');
  const touchStream = db.prepare<[string, string, string]>(
    'UPDATE message_streams SET body = ?, last_activity_at = ? WHERE message_id = ?',
  );
  const staleStreamRows = db.prepare<[string, number], StreamCheckpoint>(
    `SELECT message_id, conversation_id, sender_id, body FROM message_streams
     WHERE last_activity_at < ? ORDER BY last_activity_at LIMIT ?`,
  );
  const setAttachments = db.prepare<[string, string]>('UPDATE messages SET attachments = ? WHERE id = ?');
  const newestBefore = db.prepare<[string, number, number], MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages m
     WHERE m.conversation_id = ? AND m.seq < ? ORDER BY m.seq DESC LIMIT ?`,
  );
  // Every message above `since` in updated_seq order: those never changed (updated_seq = seq,
  // read through UNIQUE (conversation_id, seq)) merged with those changed since
  // (migration 012's partial index holds only changed rows, so a send writes no entry to it).
  const updatedAfter = db.prepare<[{ conversation: string; since: number; limit: number }], MessageRow>(
    `SELECT * FROM (
       SELECT ${MESSAGE_COLUMNS} FROM messages m
       WHERE m.conversation_id = :conversation AND m.seq > :since AND m.updated_seq = m.seq
       ORDER BY m.seq LIMIT :limit)
     UNION ALL
     SELECT * FROM (
       SELECT ${MESSAGE_COLUMNS} FROM messages m
       WHERE m.conversation_id = :conversation AND m.updated_seq > :since AND m.updated_seq > m.seq
       ORDER BY m.updated_seq LIMIT :limit)
     ORDER BY updated_seq LIMIT :limit`,
  );

  function appendOne(item: NewMessage): AppendOutcome {
    // The pair is unique per sender, whatever conversation the retry names.
    const stored = bySenderClientId.get(item.sender_id, item.client_id);
    const refusal = checkSend(item, {
      membership: conversations.membership(item.conversation_id, item.sender_id),
      duplicate: stored ? toMessage(stored) : null,
      replyToConversationId: item.reply_to === null ? null : (conversationOf.get(item.reply_to) ?? null),
      memberIds: new Set(item.mentions.length > 0 ? conversations.memberIds(item.conversation_id) : []),
      attachments: attachments.attachmentFacts(item.attachment_ids ?? []),
    });
    if (refusal) return refusal;
    const seq = conversations.takeSeq(item.conversation_id);
    const row: MessageRow = {
      ...newRow(item.conversation_id, seq, item.sender_id, new Date().toISOString()),
      client_id: item.client_id,
      body: item.body,
      reply_to: item.reply_to,
      // As sent (section 10); the counting rows below are one per user.
      mentions: JSON.stringify(item.mentions),
      search_text: searchText(item.body),
      state: item.streaming ? 'streaming' : 'complete',
    };
    insert.run(row);
    if (item.streaming) {
      insertStream.run(row.id, row.conversation_id, row.sender_id, row.body, row.created_at);
    }
    if (item.attachment_ids?.length) {
      // The message row must exist before the attachments point at it (foreign key).
      row.attachments = JSON.stringify(
        attachments.takeAttachments(row.id, item.attachment_ids).map(toAttachment),
      );
      setAttachments.run(row.attachments, row.id);
    }
    for (const userId of new Set(item.mentions)) insertMention.run(userId, item.conversation_id, seq, row.id);
    return { status: 'created', message: toMessage(row) };
  }

  /** A system message (section 8) recording `event`, by `actorId`, at the next seq. */
  function appendSystem(conversationId: string, actorId: string, event: SystemEvent, now: string): Message {
    const row: MessageRow = {
      ...newRow(conversationId, conversations.takeSeq(conversationId), actorId, now),
      kind: 'system',
      event: JSON.stringify(event),
    };
    insert.run(row);
    return toMessage(row);
  }

  /** The message and whether `actor` may see it, in the shape message-rules.ts checks. */
  function load(messageId: string, actor: string): (MessageRow & MessageFacts) | null {
    const row = withFacts.get({ id: messageId, actor });
    return row ? { ...row, actor_is_member: row.actor_is_member === 1 } : null;
  }

  /** Persists a change under the conversation's next counter value. */
  function commitChange(row: MessageRow, change: MessageChange): ChangeOutcome {
    const changed: MessageRow = {
      ...row,
      updated_seq: conversations.takeSeq(row.conversation_id),
      last_change: change,
    };
    update.run(changed);
    return { status: 'changed', message: toMessage(changed), change };
  }

  /** What joiners of one conversation in a burst share (join-parts.ts). */
  const joinParts = new RecentJoinParts();

  function page(conversationId: string, beforeSeq: number, limit: number) {
    const rows = newestBefore.all(conversationId, beforeSeq, limit + 1);
    return { messages: rows.slice(0, limit).reverse().map(toMessage), has_more: rows.length > limit };
  }

  return {
    /** Outcomes in input order; a rejected item does not affect the others. */
    appendMessages(batch: NewMessage[]): AppendOutcome[] {
      const outcomes = batch.map(appendOne);
      searchIndex.catchUpIfBehind();
      return outcomes;
    },

    appendSystem,

    editMessage(input: { message_id: string; user_id: string; body: string; now: Date }): ChangeOutcome {
      const row = load(input.message_id, input.user_id);
      const rejection = checkEdit(row, input.user_id, input.now, input.body);
      if (rejection || !row) return rejection ?? messageNotFound();
      // The same text again changes nothing: no seq taken, no edit counted.
      if (row.body === input.body) return { status: 'unchanged', message: toMessage(row) };
      const edited = {
        ...row,
        body: input.body,
        search_text: searchText(input.body),
        edit_count: row.edit_count + 1,
        edited_at: input.now.toISOString(),
      };
      return commitChange(edited, 'edited');
    },

    deleteMessage(input: { message_id: string; user_id: string; now: Date }): ChangeOutcome {
      const row = load(input.message_id, input.user_id);
      const rejection = checkDelete(row, input.user_id, input.now);
      if (rejection || !row) return rejection ?? messageNotFound();
      return commitChange(
        // Its attachments go with it: the records stay for the sweep to delete their bytes.
        {
          ...row,
          body: '',
          reactions: '{}',
          attachments: '[]',
          search_text: '',
          deleted_at: input.now.toISOString(),
        },
        'deleted',
      );
    },

    setReaction(input: { message_id: string; user_id: string; reaction: string | null }): ChangeOutcome {
      const row = load(input.message_id, input.user_id);
      const rejection = checkReact(row);
      if (rejection || !row) return rejection ?? messageNotFound();
      const next = applyReaction(JSON.parse(row.reactions) as Reactions, input.user_id, input.reaction);
      if (!next) return { status: 'unchanged', message: toMessage(row) };
      return commitChange({ ...row, reactions: JSON.stringify(next) }, 'reaction');
    },

    streamFacts(messageId: string, actorId: string): StreamFacts | null {
      const row = load(messageId, actorId);
      if (!row) return null;
      const { conversation_id, sender_id, state, deleted_at, actor_is_member } = row;
      return { conversation_id, sender_id, state, deleted_at, actor_is_member };
    },

    endStream(input: EndStreamInput): ChangeOutcome {
      const row = load(input.message_id, input.user_id);
      const facts = row && { ...row, actor_is_member: row.actor_is_member || input.by_server === true };
      const rejection = checkStreamWrite(facts, input.user_id, input.body);
      // A checkpoint of a message that stopped streaming (unsent meanwhile) is dropped.
      if (rejection?.code === 'conflict') deleteStream.run(input.message_id);
      if (rejection || !row) return rejection ?? messageNotFound();
      deleteStream.run(input.message_id);
      const ended = { ...row, body: input.body, search_text: searchText(input.body), state: input.state };
      return commitChange(ended, 'completed');
    },

    checkpointStream(input: { message_id: string; body: string; now: Date }): void {
      touchStream.run(input.body, input.now.toISOString(), input.message_id);
    },

    staleStreams(before: Date, limit: number): StreamCheckpoint[] {
      return staleStreamRows.all(before.toISOString(), Math.max(0, Math.trunc(limit)));
    },

    joinSnapshot(conversationId: string, sinceSeq: number | undefined): JoinSnapshot {
      const numbers = conversations.numbers(conversationId);
      if (!numbers) return { last_seq: 0, members: [], messages: [], has_more: false };
      const { last_seq, members_version: membersVersion } = numbers;
      const members =
        joinParts.members(conversationId, membersVersion) ?? conversations.members(conversationId);
      if (sinceSeq === undefined) {
        const newest =
          joinParts.page(conversationId, last_seq) ??
          page(conversationId, Number.MAX_SAFE_INTEGER, JOIN_PAGE_SIZE);
        joinParts.keep(conversationId, { membersVersion, members, lastSeq: last_seq, page: newest });
        return { last_seq, members, ...newest };
      }
      const kept = joinParts.page(conversationId, last_seq);
      joinParts.keep(conversationId, { membersVersion, members, lastSeq: last_seq, page: kept });
      // Nothing changed since (every change takes a seq): a resume of a quiet conversation reads no messages.
      if (sinceSeq >= last_seq) return { last_seq, members, messages: [], has_more: false };
      const rows = updatedAfter.all({
        conversation: conversationId,
        since: sinceSeq,
        limit: JOIN_SINCE_MAX + 1,
      });
      return {
        last_seq,
        members,
        messages: rows.slice(0, JOIN_SINCE_MAX).map(toMessage),
        has_more: rows.length > JOIN_SINCE_MAX,
      };
    },

    messagesBefore(
      conversationId: string,
      beforeSeq: number | undefined,
      limit: number,
    ): { messages: Message[]; has_more: boolean } {
      return page(conversationId, beforeSeq ?? Number.MAX_SAFE_INTEGER, Math.max(0, Math.trunc(limit)));
    },

    changesSince(conversationId: string, sinceSeq: number, limit: number): StoredChange[] {
      return updatedAfter
        .all({ conversation: conversationId, since: sinceSeq, limit: Math.max(0, Math.trunc(limit)) })
        .map((row) => ({ message: toMessage(row), change: row.last_change ?? 'created' }));
    },
  };
}

/** A message row with every column at its default: a text message, never changed. */
function newRow(conversationId: string, seq: number, senderId: string, now: string): MessageRow {
  return {
    id: newMessageId(),
    conversation_id: conversationId,
    seq,
    updated_seq: seq,
    sender_id: senderId,
    client_id: null,
    body: '',
    reply_to: null,
    reactions: '{}',
    edit_count: 0,
    last_change: null,
    created_at: now,
    edited_at: null,
    deleted_at: null,
    kind: 'text',
    event: null,
    mentions: '[]',
    attachments: '[]',
    state: 'complete',
    search_text: '',
  };
}
