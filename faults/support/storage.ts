import Database from 'better-sqlite3';
import type { Message } from '@chat/protocol';
import { httpJson } from '@chat/testkit';

/** What storage holds of one message, for the comparisons. */
export interface StoredMessage {
  id: string;
  conversation_id: string;
  seq: number;
  sender_id: string;
  client_id: string;
  body: string;
}

/** Every message of a conversation in seq order, read through REST (`?before_seq=` pages of 100). */
export async function readConversation(
  server: { url: string },
  token: string,
  conversationId: string,
): Promise<StoredMessage[]> {
  const messages: Message[] = [];
  let before: number | undefined;
  for (;;) {
    const query = before === undefined ? 'limit=100' : `limit=100&before_seq=${before}`;
    const page = (await httpJson(
      server,
      token,
      'GET',
      `/api/conversations/${conversationId}/messages?${query}`,
    )) as { messages: Message[]; has_more: boolean };
    messages.unshift(...page.messages);
    if (!page.has_more || page.messages.length === 0) break;
    before = page.messages[0]!.seq;
  }
  // The scenarios send text only; a system message (no client id) is not theirs to count.
  return messages.flatMap(({ id, conversation_id, seq, sender_id, client_id, body }) =>
    client_id === null ? [] : [{ id, conversation_id, seq, sender_id, client_id, body }],
  );
}

/**
 * The messages table of a server's SQLite file, read directly (the server must
 * not be running: after a kill -9 this is exactly what survived the crash).
 */
export function readDatabase(path: string): StoredMessage[] {
  const db = new Database(path, { fileMustExist: true });
  try {
    return db
      .prepare(
        'SELECT id, conversation_id, seq, sender_id, client_id, body FROM messages ORDER BY conversation_id, seq',
      )
      .all() as StoredMessage[];
  } finally {
    db.close();
  }
}
