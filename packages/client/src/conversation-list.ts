import type { Conversation, Message } from '@chat/protocol';
import type { ConversationView } from './types';

const EMPTY: readonly Conversation[] = Object.freeze([]);

/** Newest activity first: the last message's time, else the conversation's creation. */
function activity(conversation: Conversation): string {
  return conversation.last_message?.created_at ?? conversation.created_at;
}

/**
 * The signed-in user's conversations, newest first, as `GET /api/conversations`
 * returns them and then kept live from frames:
 * - `conversation` inserts or replaces an entry;
 * - a new message (or one caught up in a `joined`) moves `last_message`,
 *   `last_seq` and, for other members' messages above the user's read_seq,
 *   `unread_count`; each seq counts once, however often it is applied;
 * - `message_updated` refreshes `last_message` and uncounts an unsend;
 * - `read` moves members' read_seq; the user's own read recounts `unread_count`
 *   from the messages held when they cover the range, else (a long gap) keeps the
 *   server's count until the next load.
 * `conversations` keeps its identity until something in it changes.
 */
export class ConversationList {
  private items: readonly Conversation[] = EMPTY;
  private loadedOnce = false;

  constructor(private readonly onChange: () => void) {}

  get conversations(): readonly Conversation[] {
    return this.items;
  }

  get loaded(): boolean {
    return this.loadedOnce;
  }

  get(conversationId: string): Conversation | undefined {
    return this.items.find((item) => item.id === conversationId);
  }

  replaceAll(conversations: readonly Conversation[]): void {
    this.loadedOnce = true;
    this.commit([...conversations]);
  }

  upsert(conversation: Conversation): void {
    this.commit([conversation, ...this.items.filter((item) => item.id !== conversation.id)]);
  }

  /** A message that may be new (from `message`, `message_ack` or a `joined`). */
  applyMessage(message: Message, selfId: string | null): void {
    this.update(message.conversation_id, (conversation) => {
      const last = conversation.last_message;
      if (!last || message.seq > last.seq) {
        const isNew = message.seq > conversation.last_seq;
        const counts =
          isNew &&
          message.sender_id !== selfId &&
          message.deleted_at === null &&
          message.seq > readSeqOf(conversation, selfId);
        return {
          ...conversation,
          last_message: message,
          last_seq: Math.max(conversation.last_seq, message.updated_seq),
          unread_count: conversation.unread_count + (counts ? 1 : 0),
        };
      }
      return this.refreshLast(conversation, message);
    });
  }

  /** A `message_updated`: a newer state of a message, maybe the last one. */
  applyUpdate(message: Message, change: string, selfId: string | null, previous?: Message): void {
    this.update(message.conversation_id, (conversation) => {
      if (message.updated_seq <= conversation.last_seq && conversation.last_message?.id !== message.id) {
        return conversation; // already counted in what the server last told us
      }
      let next = this.refreshLast(conversation, message);
      const uncount =
        change === 'deleted' &&
        message.updated_seq > conversation.last_seq &&
        (previous === undefined || previous.deleted_at === null) &&
        message.sender_id !== selfId &&
        message.seq > readSeqOf(conversation, selfId);
      if (uncount && next.unread_count > 0) next = { ...next, unread_count: next.unread_count - 1 };
      return next;
    });
  }

  /** A `read`: a member read up to `seq`. `view` is the conversation's store, when held. */
  applyRead(
    conversationId: string,
    userId: string,
    seq: number,
    selfId: string | null,
    view?: ConversationView,
  ): void {
    this.update(conversationId, (conversation) => {
      const member = conversation.members.find((item) => item.user_id === userId);
      if (!member || seq <= member.read_seq) return conversation;
      const members = conversation.members.map((item) =>
        item.user_id === userId ? { ...item, read_seq: seq } : item,
      );
      if (userId !== selfId) return { ...conversation, members };
      return { ...conversation, members, unread_count: unreadAfter(conversation, seq, selfId, view) };
    });
  }

  private refreshLast(conversation: Conversation, message: Message): Conversation {
    const last = conversation.last_message;
    const lastSeq = Math.max(conversation.last_seq, message.updated_seq);
    if (last?.id === message.id && message.updated_seq > last.updated_seq) {
      return { ...conversation, last_message: message, last_seq: lastSeq };
    }
    return lastSeq === conversation.last_seq ? conversation : { ...conversation, last_seq: lastSeq };
  }

  private update(conversationId: string, change: (conversation: Conversation) => Conversation): void {
    const index = this.items.findIndex((item) => item.id === conversationId);
    if (index < 0) return;
    const current = this.items[index]!;
    const next = change(current);
    if (next === current) return;
    const items = [...this.items];
    items[index] = next;
    this.commit(items);
  }

  private commit(items: Conversation[]): void {
    items.sort((a, b) => activity(b).localeCompare(activity(a)));
    this.items = Object.freeze(items);
    this.onChange();
  }
}

function readSeqOf(conversation: Conversation, userId: string | null): number {
  return conversation.members.find((member) => member.user_id === userId)?.read_seq ?? 0;
}

/** Unread count after the user read up to `seq`, as exactly as the messages held allow. */
function unreadAfter(
  conversation: Conversation,
  seq: number,
  selfId: string | null,
  view: ConversationView | undefined,
): number {
  const lastSeq = conversation.last_message?.seq ?? 0;
  if (seq >= lastSeq) return 0;
  if (!view) return conversation.unread_count;
  const lowest = view.messages[0]?.seq;
  const covers = !view.hasMoreBefore || (lowest !== undefined && lowest <= seq + 1);
  if (!covers) return conversation.unread_count;
  return view.messages.filter(
    (message) => message.seq > seq && message.sender_id !== selfId && message.deleted_at === null,
  ).length;
}
