import type { Conversation, Message } from '@chat/protocol';
import type { ConversationView } from './types';

const EMPTY: readonly Conversation[] = Object.freeze([]);

/** Newest activity first: the last message's time, else the conversation's creation. */
function activity(conversation: Conversation): string {
  return conversation.last_message?.created_at ?? conversation.created_at;
}

/** Whether a message counts as unread for `selfId` (others' live text; system lines never). */
function countsUnread(message: Message, selfId: string | null): boolean {
  return message.kind !== 'system' && message.sender_id !== selfId && message.deleted_at === null;
}

function mentions(message: Message, selfId: string | null): boolean {
  return selfId !== null && message.mentions.includes(selfId);
}

/**
 * The signed-in user's conversations, pinned first (most recently pinned first, as the server
 * orders them), then newest first, as `GET /api/conversations` returns them and then kept live
 * from frames:
 * - `conversation` inserts or replaces an entry (a group change, or this user's settings from
 *   any of their devices); `conversation_removed` drops it;
 * - a new message (or one caught up in a `joined`) moves `last_message`,
 *   `last_seq` and, for other members' text messages above the user's read_seq,
 *   `unread_count` (and `unread_mentions` when it names the user); each seq counts once,
 *   however often it is applied; system messages never count;
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

  /**
   * A `conversation` frame or a REST answer: the server's entry. When this client already holds
   * newer messages than the entry counts (a frame built before a message we have), the newer
   * message and counts stay. A conversation pinned just now goes first among the pinned.
   */
  upsert(conversation: Conversation): void {
    const held = this.get(conversation.id);
    let next = conversation;
    if (held && held.last_seq > conversation.last_seq) {
      next = {
        ...conversation,
        last_message: held.last_message,
        last_seq: held.last_seq,
        unread_count: held.unread_count,
        unread_mentions: held.unread_mentions,
      };
    }
    const others = this.items.filter((item) => item.id !== conversation.id);
    if (held?.settings.pinned && next.settings.pinned) {
      // Still pinned: it keeps its place among the pinned.
      this.commit(this.items.map((item) => (item.id === conversation.id ? next : item)));
    } else {
      this.commit([next, ...others]);
    }
  }

  /** The user is no longer a member (`conversation_removed`). */
  remove(conversationId: string): void {
    if (!this.get(conversationId)) return;
    this.commit(this.items.filter((item) => item.id !== conversationId));
  }

  /** A message that may be new (from `message`, `message_ack` or a `joined`). */
  applyMessage(message: Message, selfId: string | null): void {
    this.update(message.conversation_id, (conversation) => {
      const last = conversation.last_message;
      if (!last || message.seq > last.seq) {
        const isNew = message.seq > conversation.last_seq;
        const counts =
          isNew && countsUnread(message, selfId) && message.seq > readSeqOf(conversation, selfId);
        return {
          ...conversation,
          last_message: message,
          last_seq: Math.max(conversation.last_seq, message.updated_seq),
          unread_count: conversation.unread_count + (counts ? 1 : 0),
          unread_mentions: conversation.unread_mentions + (counts && mentions(message, selfId) ? 1 : 0),
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
        message.kind !== 'system' &&
        message.sender_id !== selfId &&
        message.seq > readSeqOf(conversation, selfId);
      if (uncount && next.unread_count > 0) {
        const mention = mentions(message, selfId) && next.unread_mentions > 0 ? 1 : 0;
        next = {
          ...next,
          unread_count: next.unread_count - 1,
          unread_mentions: next.unread_mentions - mention,
        };
      }
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
      return { ...conversation, members, ...unreadAfter(conversation, seq, selfId, view) };
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
    // Stable: the pinned keep the order they are in (the server's, or pinned just now first).
    items.sort((a, b) => {
      if (a.settings.pinned !== b.settings.pinned) return a.settings.pinned ? -1 : 1;
      if (a.settings.pinned) return 0;
      return activity(b).localeCompare(activity(a));
    });
    this.items = Object.freeze(items);
    this.onChange();
  }
}

function readSeqOf(conversation: Conversation, userId: string | null): number {
  return conversation.members.find((member) => member.user_id === userId)?.read_seq ?? 0;
}

type UnreadCounts = Pick<Conversation, 'unread_count' | 'unread_mentions'>;

/** Unread counts after the user read up to `seq`, as exactly as the messages held allow. */
function unreadAfter(
  conversation: Conversation,
  seq: number,
  selfId: string | null,
  view: ConversationView | undefined,
): UnreadCounts {
  const held = { unread_count: conversation.unread_count, unread_mentions: conversation.unread_mentions };
  const lastSeq = conversation.last_message?.seq ?? 0;
  if (seq >= lastSeq) return { unread_count: 0, unread_mentions: 0 };
  if (!view) return held;
  const lowest = view.messages[0]?.seq;
  const covers = !view.hasMoreBefore || (lowest !== undefined && lowest <= seq + 1);
  if (!covers) return held;
  const unread = view.messages.filter((message) => message.seq > seq && countsUnread(message, selfId));
  return {
    unread_count: unread.length,
    unread_mentions: unread.filter((message) => mentions(message, selfId)).length,
  };
}
