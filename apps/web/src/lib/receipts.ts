import type { ConversationMember, Message } from '@chat/protocol';
import { firstName } from './conversation-title';

type Member = Pick<ConversationMember, 'user_id' | 'read_seq' | 'display_name'>;

export interface Receipt {
  messageId: string;
  /** "Delivered", "Read", "Read by Ada", "Read by 2 of 3". */
  label: string;
  /** 1:1: whether the other person has read it (the caller adds the time it saw that happen). */
  read: boolean;
}

/** My newest live text message: the one that carries the receipt. */
export function myLastMessage(messages: readonly Message[], myUserId: string): Message | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message && message.sender_id === myUserId && message.kind !== 'system' && message.deleted_at === null)
      return message;
  }
  return undefined;
}

/** Who of the other members has read up to `seq`, and who has not. */
export function readers<M extends Member>(
  members: readonly M[],
  myUserId: string,
  seq: number,
): { read: M[]; unread: M[] } {
  const others = members.filter((m) => m.user_id !== myUserId);
  return { read: others.filter((m) => m.read_seq >= seq), unread: others.filter((m) => m.read_seq < seq) };
}

/**
 * The receipt under MY last message, telling the truth in a group: "Delivered" (stored, nobody
 * has read it), then in a 1:1 "Read"; in a group "Read by Ada" for one reader, "Read by 2 of 3"
 * for more. Unsent and system messages carry none.
 */
export function computeReceipt(
  messages: readonly Message[],
  members: readonly Member[],
  myUserId: string,
  isGroup = false,
): Receipt | null {
  const mine = myLastMessage(messages, myUserId);
  if (mine === undefined) return null;
  const { read, unread } = readers(members, myUserId, mine.seq);
  if (read.length === 0) return { messageId: mine.id, label: 'Delivered', read: false };
  if (!isGroup) return { messageId: mine.id, label: 'Read', read: true };
  const label =
    read.length === 1
      ? `Read by ${firstName(read[0]?.display_name ?? '')}`
      : `Read by ${read.length} of ${read.length + unread.length}`;
  return { messageId: mine.id, label, read: unread.length === 0 };
}
