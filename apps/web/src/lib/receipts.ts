import type { ConversationMember, Message } from '@chat/protocol';

export interface Receipt {
  messageId: string;
  label: 'Delivered' | 'Read';
}

/**
 * The receipt under MY last message: "Read" once another member's read_seq reaches its seq,
 * else "Delivered" (it is stored, so the server has it). Unsent messages carry no receipt.
 */
export function computeReceipt(
  messages: readonly Message[],
  members: readonly Pick<ConversationMember, 'user_id' | 'read_seq'>[],
  myUserId: string,
): Receipt | null {
  let mine: Message | undefined;
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message && message.sender_id === myUserId && message.deleted_at === null) {
      mine = message;
      break;
    }
  }
  if (mine === undefined) return null;
  const seq = mine.seq;
  const read = members.some((m) => m.user_id !== myUserId && m.read_seq >= seq);
  return { messageId: mine.id, label: read ? 'Read' : 'Delivered' };
}
