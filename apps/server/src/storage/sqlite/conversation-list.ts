import type { Database } from 'better-sqlite3';
import type { Conversation } from '@chat/protocol';
import { ConversationParts, type LastMessagePart, type ListedConversation } from '../conversation-parts';
import { jsonText, type JsonPieces } from '../json-pieces';
import { inListOrder } from '../list-order';
import { UnreadCounts, type CountKey } from '../unread-counts';
import {
  LAST_MESSAGE,
  LAST_MESSAGE_JOIN,
  MEMBERS,
  UNREAD_COUNT,
  UNREAD_MENTIONS,
  VIEWER_PART_JSON,
} from './conversation-view';

/** A row of the list statement; its counts are filled in once `counts` has them. */
type ListedRow = ListedConversation & CountKey & { pinnedAt: string | null; createdAt: string };
const UNCOUNTED = { unread: 0, mentions: 0 };

/**
 * A viewer's conversations in the list's order, each as its `Conversation`'s
 * JSON in UTF-8 (issue 13). One statement reads what is the viewer's own and the
 * numbers that key the rest: members and last messages come from `parts`, the
 * unread counts from `counts`, each read again only for conversations whose
 * number moved; the order is made here from what is kept (list-order.ts). Runs
 * inside a read transaction (sqlite-storage.ts), so all four statements see one
 * snapshot. The parts are read as BLOBs (SQLite's UTF-8 bytes, kept as they
 * are); the viewer's part, read at every listing, as text (see
 * ListedConversation).
 */
export function conversationListQueries(
  db: Database,
  parts = new ConversationParts(),
  counts = new UnreadCounts(),
) {
  const listed = db
    .prepare<[{ viewer: string }], [string, number, number, number, string | null, string, string]>(
      `SELECT c.id, c.members_version, c.last_seq, COALESCE(me.read_seq, 0), me.pinned_at, c.created_at,
         ${VIEWER_PART_JSON}
       FROM conversation_members me
       JOIN conversations c ON c.id = me.conversation_id
       WHERE me.user_id = :viewer`,
    )
    .raw();
  const membersOf = db
    .prepare<[string], [string, Buffer]>(
      `SELECT c.id, CAST(${MEMBERS} AS BLOB) FROM conversations c WHERE c.id IN (SELECT value FROM json_each(?))`,
    )
    .raw();
  const lastMessagesOf = db
    .prepare<[string], [string, Buffer | null, string | null]>(
      `SELECT c.id, CAST(${LAST_MESSAGE} AS BLOB), m.created_at FROM conversations c ${LAST_MESSAGE_JOIN}
       WHERE c.id IN (SELECT value FROM json_each(?))`,
    )
    .raw();
  const countsOf = db
    .prepare<[{ viewer: string; ids: string }], [string, number, number]>(
      `SELECT c.id, ${UNREAD_COUNT}, ${UNREAD_MENTIONS}
       FROM conversation_members me JOIN conversations c ON c.id = me.conversation_id
       WHERE me.user_id = :viewer AND me.conversation_id IN (SELECT value FROM json_each(:ids))`,
    )
    .raw();

  function listConversationsJson(viewerId: string): JsonPieces[] {
    const rows: ListedRow[] = listed
      .all({ viewer: viewerId })
      .map(([id, membersVersion, lastSeq, readSeq, pinnedAt, createdAt, viewerJson]) => ({
        id,
        membersVersion,
        // A read bumps members_version here (migration 014).
        readSeqSum: 0,
        lastSeq,
        readSeq,
        pinnedAt,
        createdAt,
        viewerJson,
        counts: UNCOUNTED,
      }));
    const missing = parts.missing(rows);
    const members = new Map(missing.members.length ? membersOf.all(JSON.stringify(missing.members)) : []);
    const lastMessages = new Map<string, LastMessagePart>(
      missing.lastMessages.length
        ? lastMessagesOf
            .all(JSON.stringify(missing.lastMessages))
            .map(([id, json, createdAt]) => [id, { json, createdAt }])
        : [],
    );
    const viewerCounts = counts.of(viewerId);
    const uncounted = viewerCounts.missing(rows);
    const fresh = new Map(
      uncounted.length
        ? countsOf
            .all({ viewer: viewerId, ids: JSON.stringify(uncounted) })
            .map(([id, unread, mentions]) => [id, [unread, mentions] as const])
        : [],
    );
    viewerCounts.counts(rows, fresh).forEach((rowCounts, k) => (rows[k]!.counts = rowCounts));
    return inListOrder(rows, parts.conversations(rows, members, lastMessages));
  }

  return {
    listConversationsJson,
    listConversations(viewerId: string): Conversation[] {
      return listConversationsJson(viewerId).map((json) => JSON.parse(jsonText(json)) as Conversation);
    },
  };
}
