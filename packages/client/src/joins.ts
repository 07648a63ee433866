import type { ClientFrame, ServerFrameOf } from '@chat/protocol';
import type { ConversationStore } from './conversation-store';
import type { Requests } from './requests';

export interface JoinsConfig {
  requests: Requests;
  /** Whether frames can be sent now (open and authenticated). */
  isOpen: () => boolean;
  /** Sends on the authenticated socket; false when there is none. */
  send: (frame: ClientFrame) => boolean;
  /** The conversation's store, made on first use. */
  store: (conversationId: string) => ConversationStore;
  /** A `joined` to apply: `fresh` replaces the window, else it resumes it. */
  onJoined: (frame: ServerFrameOf<'joined'>, fresh: boolean) => void;
}

/**
 * Which conversations this client wants joined, and the joins on the wire.
 *
 * Join and leave are counted per conversation (two screens may hold one), and
 * the conversations the live list joins are held once more on its behalf. On
 * every new socket each held conversation is joined again with `since_seq` =
 * the highest updated_seq held (docs/protocol.md section 6), so what was missed
 * while away arrives, and nothing twice. A resume that missed more than one
 * `joined` carries (`has_more`) asks for a fresh page instead.
 */
export class Joins {
  /** Holders per conversation. */
  private readonly holders = new Map<string, number>();
  /** Conversations held on behalf of the live list. */
  private readonly listed = new Set<string>();

  constructor(private readonly config: JoinsConfig) {}

  /** Whether some holder wants the conversation joined. */
  has(conversationId: string): boolean {
    return this.holders.has(conversationId);
  }

  /** Joins now, or on the next socket; a second holder sends nothing. */
  join(conversationId: string): void {
    const holders = this.holders.get(conversationId) ?? 0;
    this.holders.set(conversationId, holders + 1);
    if (holders === 0) this.sendJoin(conversationId, false);
  }

  /** Drops one holder; true when it was the last (the conversation is left). */
  leave(conversationId: string): boolean {
    const holders = this.holders.get(conversationId) ?? 0;
    if (holders === 0) return false;
    if (holders > 1) {
      this.holders.set(conversationId, holders - 1);
      return false;
    }
    this.holders.delete(conversationId);
    this.config.send({ type: 'leave_conversation', conversation_id: conversationId });
    return true;
  }

  /**
   * The user is no longer a member: every holder is dropped without a `leave_conversation`
   * (the server has already left this connection), and nothing rejoins it.
   */
  forget(conversationId: string): void {
    this.holders.delete(conversationId);
    this.listed.delete(conversationId);
  }

  /** Joins again now if held (a join refused before the user became a member again). */
  retry(conversationId: string): void {
    if (this.holders.has(conversationId)) this.sendJoin(conversationId, false);
  }

  /** Holds each conversation of the list not yet held for it. */
  joinListed(conversationIds: Iterable<string>): void {
    for (const id of conversationIds) {
      if (this.listed.has(id)) continue;
      this.listed.add(id);
      this.join(id);
    }
  }

  /** Forgets what was held for the list, and returns it: the caller leaves each. */
  takeListed(): string[] {
    const listed = [...this.listed];
    this.listed.clear();
    return listed;
  }

  /** A new authenticated socket: every held conversation is joined again, resuming. */
  rejoinAll(): void {
    for (const conversationId of this.holders.keys()) this.sendJoin(conversationId, false);
  }

  private sendJoin(conversationId: string, fresh: boolean): void {
    if (!this.config.isOpen()) return; // joined on the next socket, by rejoinAll
    const store = this.config.store(conversationId);
    const since = !fresh && store.resumeSeq > 0 ? store.resumeSeq : undefined;
    const ref = this.config.requests.track({
      onReply: (frame) => {
        if (frame.type === 'joined') this.joined(frame, since);
      },
      onError: (error) => {
        if (error.code !== 'disconnected') store.setError(error.toJSON());
      },
    });
    const frame: ClientFrame = {
      type: 'join_conversation',
      conversation_id: conversationId,
      ...(since === undefined ? {} : { since_seq: since }),
      ref,
    };
    if (!this.config.send(frame)) this.config.requests.forget(ref);
  }

  private joined(frame: ServerFrameOf<'joined'>, since: number | undefined): void {
    if (since !== undefined && frame.has_more) {
      // More was missed than one resume carries: take a fresh page instead.
      this.sendJoin(frame.conversation_id, true);
      return;
    }
    this.config.onJoined(frame, since === undefined);
  }
}
