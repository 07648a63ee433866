import type { Database } from 'better-sqlite3';
import type { Conversation } from '@chat/protocol';
import { ConversationParts, type ListedConversation } from '../conversation-parts';
import { jsonText, type JsonPieces } from '../json-pieces';
import { LAST_MESSAGE, LAST_MESSAGE_JOIN, LIST_ORDER, MEMBERS, VIEWER_PART_JSON } from './conversation-view';

/**
 * A viewer's conversations in the list's order, each as its `Conversation`'s
 * JSON in UTF-8 (issue 13). One statement reads what is the viewer's own and each
 * conversation's two version numbers; members and last messages come from
 * `parts`, read again only for conversations whose number moved. Runs inside a
 * read transaction (sqlite-storage.ts), so all three statements see one snapshot.
 * The parts are read as BLOBs (SQLite's UTF-8 bytes, kept as they are); the
 * viewer's part, read at every listing, as text (see ListedConversation).
 */
export function conversationListQueries(db: Database, parts = new ConversationParts()) {
  const listed = db
    .prepare<[{ viewer: string }], [string, number, number, string]>(
      `SELECT c.id, c.members_version, c.last_seq, ${VIEWER_PART_JSON}
       FROM conversation_members me
       JOIN conversations c ON c.id = me.conversation_id
       ${LAST_MESSAGE_JOIN}
       WHERE me.user_id = :viewer
       ORDER BY ${LIST_ORDER}`,
    )
    .raw();
  const membersOf = db
    .prepare<[string], [string, Buffer]>(
      `SELECT c.id, CAST(${MEMBERS} AS BLOB) FROM conversations c WHERE c.id IN (SELECT value FROM json_each(?))`,
    )
    .raw();
  const lastMessagesOf = db
    .prepare<[string], [string, Buffer | null]>(
      `SELECT c.id, CAST(${LAST_MESSAGE} AS BLOB) FROM conversations c ${LAST_MESSAGE_JOIN}
       WHERE c.id IN (SELECT value FROM json_each(?))`,
    )
    .raw();

  function listConversationsJson(viewerId: string): JsonPieces[] {
    const rows: ListedConversation[] = listed
      .all({ viewer: viewerId })
      .map(([id, membersVersion, lastSeq, viewerJson]) => ({ id, membersVersion, lastSeq, viewerJson }));
    const missing = parts.missing(rows);
    const members = new Map(missing.members.length ? membersOf.all(JSON.stringify(missing.members)) : []);
    const lastMessages = new Map(
      missing.lastMessages.length ? lastMessagesOf.all(JSON.stringify(missing.lastMessages)) : [],
    );
    return parts.conversations(rows, members, lastMessages);
  }

  return {
    listConversationsJson,
    listConversations(viewerId: string): Conversation[] {
      return listConversationsJson(viewerId).map((json) => JSON.parse(jsonText(json)) as Conversation);
    },
  };
}
