import type { ConversationMember, JoinedMember, Message, ServerFrameOf } from '@chat/protocol';
import { AgentStatuses } from './agent-statuses';
import { systemClock } from './clock';
import type { Clock } from './clock';
import type { ConversationView, PendingMessage } from './types';

export interface ConversationStoreOptions {
  conversationId: string;
  /** A typist heard nothing from for this long is dropped. */
  typingExpireMs: number;
  /** An agent status not refreshed for this long is dropped (default 65 s: the server's 60 s, plus slack). */
  agentStatusExpireMs?: number;
  /** Called after every change (never for a frame that changed nothing). */
  onChange: () => void;
  /** Pending sends already known when the store is made (set without a change notice). */
  pending?: readonly PendingMessage[];
  /** Runs the typists' expiry. Default: the runtime's timers. */
  clock?: Clock;
}

const EMPTY: readonly never[] = Object.freeze([]);
const NO_STREAMS: Readonly<Record<string, string>> = Object.freeze({});
/** The server lets a status lapse after 60 s (AGENT_STATUS_TTL_MS) and relays `idle`; this is the backstop. */
const AGENT_STATUS_EXPIRE_MS = 65_000;

/**
 * One conversation as this client knows it: messages keyed by id, members,
 * typists and pending sends. Applying a frame is idempotent and order-tolerant:
 * - a message is kept at its highest `updated_seq` (an older state never
 *   overwrites a newer one; the same frame twice changes nothing);
 * - `message_updated` for an id not held inserts it;
 * - `lastSeq` (the highest `updated_seq` held) only grows, and so does the
 *   resume point, which only the conversation's own stream moves (see `resumeSeq`).
 *
 * `view` keeps its identity until something in it changes, and so does each of
 * its arrays, as `useSyncExternalStore` and `React.memo` need.
 */
export class ConversationStore {
  readonly conversationId: string;
  private readonly byId = new Map<string, Message>();
  private members = new Map<string, JoinedMember>();
  /** Each typist's expiry timer. */
  private readonly typists = new Map<string, unknown>();
  private readonly clock: Clock;
  private pending: readonly PendingMessage[] = EMPTY;
  private joined = false;
  private lastSeq = 0;
  /** Every change up to this seq is held: the `joined` snapshot's and the stream's since. */
  private streamSeq = 0;
  private hasMoreBefore = false;
  private error: ConversationView['error'] = null;
  /** Latest relayed text of each message still streaming (v2 section 14). */
  private readonly streams = new Map<string, string>();
  private readonly agentStatuses: AgentStatuses;

  private cachedView: ConversationView | undefined;
  private cachedMessages: readonly Message[] | undefined;
  private cachedMembers: readonly JoinedMember[] | undefined;
  private cachedTypists: readonly string[] | undefined;
  private cachedStreams: Readonly<Record<string, string>> | undefined;

  constructor(private readonly options: ConversationStoreOptions) {
    this.conversationId = options.conversationId;
    this.clock = options.clock ?? systemClock;
    this.agentStatuses = new AgentStatuses(
      this.clock,
      options.agentStatusExpireMs ?? AGENT_STATUS_EXPIRE_MS,
      () => this.changed({}),
    );
    if (options.pending?.length) this.pending = Object.freeze([...options.pending]);
  }

  get view(): ConversationView {
    this.cachedMessages ??= Object.freeze(
      [...this.byId.values()].sort((a, b) => a.seq - b.seq),
    ) as readonly Message[];
    this.cachedMembers ??= Object.freeze([...this.members.values()]) as readonly JoinedMember[];
    this.cachedTypists ??= Object.freeze([...this.typists.keys()]) as readonly string[];
    this.cachedStreams ??=
      this.streams.size === 0 ? NO_STREAMS : Object.freeze(Object.fromEntries(this.streams));
    this.cachedView ??= Object.freeze({
      conversationId: this.conversationId,
      joined: this.joined,
      messages: this.cachedMessages,
      pending: this.pending,
      members: this.cachedMembers,
      typingUserIds: this.cachedTypists,
      lastSeq: this.lastSeq,
      hasMoreBefore: this.hasMoreBefore,
      error: this.error,
      streams: this.cachedStreams,
      agentStatuses: this.agentStatuses.list,
    });
    return this.cachedView;
  }

  /**
   * The `since_seq` of a resume (0: none): the highest `updated_seq` of the
   * `joined` snapshot and of the `message` / `message_updated` frames after it,
   * which come in order with no gap. Not the highest held: a `message_ack` is
   * sent at commit and can overtake an earlier message still on its way through
   * another process, and a history page can hold a later edit. Resuming past
   * either would skip what lies between, for good.
   */
  get resumeSeq(): number {
    return this.streamSeq;
  }

  /** Lowest seq held, where `loadOlder` continues; null when nothing is held. */
  get lowestSeq(): number | null {
    let lowest: number | null = null;
    for (const message of this.byId.values())
      if (lowest === null || message.seq < lowest) lowest = message.seq;
    return lowest;
  }

  get(messageId: string): Message | undefined {
    return this.byId.get(messageId);
  }

  /**
   * A `joined` reply. `fresh` (a join without since_seq) replaces the window
   * with the newest page; a resume (with since_seq) merges what was missed.
   */
  applyJoined(frame: ServerFrameOf<'joined'>, fresh: boolean): void {
    if (fresh) {
      this.byId.clear();
      this.lastSeq = 0;
      this.streamSeq = 0;
      this.hasMoreBefore = frame.has_more;
    }
    for (const message of frame.messages) this.upsert(message);
    this.lastSeq = Math.max(this.lastSeq, frame.last_seq);
    this.streamSeq = Math.max(this.streamSeq, frame.last_seq);
    this.members = new Map(frame.members.map((member) => [member.user_id, member]));
    this.clearTypists();
    // Relays of this join follow it; what was relayed before is stale.
    this.streams.clear();
    this.agentStatuses.clear();
    this.joined = true;
    this.error = null;
    this.changed({ messages: true, members: true, typists: true, streams: true });
  }

  /**
   * A `message` or `message_updated` of the conversation's stream. Returns
   * whether anything changed.
   */
  applyMessage(message: Message, isNew = false): boolean {
    if (message.conversation_id !== this.conversationId) return false;
    // Frames of a joined conversation are gapless from `joined` on; any other is held but proves nothing.
    if (this.joined && message.updated_seq > this.streamSeq) this.streamSeq = message.updated_seq;
    return this.apply(message, isNew);
  }

  /** A `message_ack`: held, but it may have overtaken earlier messages (see `resumeSeq`). */
  applyAck(message: Message): boolean {
    if (message.conversation_id !== this.conversationId) return false;
    return this.apply(message, false);
  }

  private apply(message: Message, isNew: boolean): boolean {
    const stored = this.upsert(message);
    // The server stops a typist who sends; do the same, in case its frame is late.
    const typist = isNew && this.stopTypist(message.sender_id);
    if (stored || typist) this.changed({ messages: stored, typists: typist });
    return stored;
  }

  /** Older history from `GET .../messages?before_seq=`: merged, and whether even older exists. */
  prependOlder(messages: readonly Message[], hasMore: boolean): void {
    for (const message of messages) if (message.conversation_id === this.conversationId) this.upsert(message);
    this.hasMoreBefore = hasMore;
    this.changed({ messages: true });
  }

  applyRead(userId: string, seq: number): void {
    const member = this.members.get(userId);
    if (!member || seq <= member.read_seq) return;
    this.members.set(userId, { ...member, read_seq: seq });
    this.changed({ members: true });
  }

  /**
   * The members of a newer conversation entry (a `conversation` frame after a group change):
   * people added join the list (offline until their presence says otherwise), people gone leave
   * it, roles and names follow. Presence and the higher read_seq stay.
   */
  applyMembers(members: readonly ConversationMember[]): void {
    if (!this.joined && this.members.size === 0) return; // the join will bring them
    const next = new Map<string, JoinedMember>();
    for (const member of members) {
      const held = this.members.get(member.user_id);
      next.set(member.user_id, {
        ...member,
        read_seq: Math.max(member.read_seq, held?.read_seq ?? 0),
        online: held?.online ?? false,
      });
    }
    const same =
      next.size === this.members.size &&
      [...next].every(([id, member]) => {
        const held = this.members.get(id);
        return (
          held !== undefined &&
          held.role === member.role &&
          held.display_name === member.display_name &&
          held.read_seq === member.read_seq
        );
      });
    if (same) return;
    this.members = next;
    this.changed({ members: true });
  }

  applyPresence(userId: string, online: boolean): void {
    const member = this.members.get(userId);
    if (!member || member.online === online) return;
    this.members.set(userId, { ...member, online });
    this.changed({ members: true });
  }

  /**
   * A `message_stream`: the latest text of a streaming message. Kept unless the message is held
   * and no longer streaming (a relay that crossed its `completed`); one not held yet is kept for
   * when its `message` arrives.
   */
  applyStream(messageId: string, body: string): void {
    const held = this.byId.get(messageId);
    if (held && held.state !== 'streaming') return;
    if (this.streams.get(messageId) === body) return;
    this.streams.set(messageId, body);
    this.changed({ streams: true });
  }

  /** An `agent_status` of another member. */
  applyAgentStatus(userId: string, status: 'thinking' | 'working' | 'idle', detail: string | null): void {
    if (this.agentStatuses.apply(userId, status, detail)) this.changed({});
  }

  applyTyping(userId: string, isTyping: boolean): void {
    if (!isTyping) {
      if (this.stopTypist(userId)) this.changed({ typists: true });
      return;
    }
    const known = this.typists.has(userId);
    this.clock.clearTimeout(this.typists.get(userId));
    const timer = this.clock.setTimeout(() => this.applyTyping(userId, false), this.options.typingExpireMs);
    this.typists.set(userId, timer);
    if (!known) this.changed({ typists: true });
  }

  setPending(pending: readonly PendingMessage[]): void {
    if (pending.length === 0 && this.pending.length === 0) return;
    this.pending = Object.freeze([...pending]);
    this.changed({});
  }

  setError(error: ConversationView['error']): void {
    this.error = error;
    this.changed({});
  }

  /** The server no longer sends us this conversation (left, or the socket died). */
  markNotJoined(): void {
    const hadTypists = this.typists.size > 0;
    this.clearTypists();
    const hadStreams = this.streams.size > 0;
    this.streams.clear();
    const hadStatuses = this.agentStatuses.clear();
    if (!this.joined && !hadTypists && !hadStreams && !hadStatuses) return;
    this.joined = false;
    this.changed({ typists: true, streams: true });
  }

  /** Stops the typing and status timers (the client is stopping). */
  dispose(): void {
    this.clearTypists();
    this.agentStatuses.clear();
  }

  /** Stores a message unless a state at least as new is held. */
  private upsert(message: Message): boolean {
    const held = this.byId.get(message.id);
    if (held && held.updated_seq >= message.updated_seq) return false;
    this.byId.set(message.id, message);
    if (message.updated_seq > this.lastSeq) this.lastSeq = message.updated_seq;
    // Ended (`completed`): the stored body is the final text.
    if (message.state !== 'streaming' && this.streams.delete(message.id)) this.cachedStreams = undefined;
    return true;
  }

  private stopTypist(userId: string): boolean {
    if (!this.typists.has(userId)) return false;
    this.clock.clearTimeout(this.typists.get(userId));
    this.typists.delete(userId);
    return true;
  }

  private clearTypists(): void {
    for (const timer of this.typists.values()) this.clock.clearTimeout(timer);
    this.typists.clear();
  }

  private changed(what: {
    messages?: boolean;
    members?: boolean;
    typists?: boolean;
    streams?: boolean;
  }): void {
    if (what.messages) this.cachedMessages = undefined;
    if (what.members) this.cachedMembers = undefined;
    if (what.typists) this.cachedTypists = undefined;
    if (what.streams) this.cachedStreams = undefined;
    this.cachedView = undefined;
    this.options.onChange();
  }
}
