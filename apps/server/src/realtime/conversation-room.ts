import type { BrokerEvent, ChangeEvent } from '../broker/broker';
import type { Cancel, Clock } from '../clock';
import { AGENT_STATUS_TTL_MS, STREAM_SILENCE_MS, type Message } from '@chat/protocol';
import type { Logger } from '../logger';
import { agentStatusFrame, serializeFrame, typingFrame } from './frames';
import type { Recipient } from './recipient';

export interface RoomDeps {
  conversationId: string;
  /** Reads up to `GAP_FILL_PAGE` changes after `sinceSeq` from storage, to fill a gap the broker left. */
  changesSince: (sinceSeq: number) => Promise<ChangeEvent[]>;
  /** How long a gap may stay open before it is filled from storage. */
  gapFillDelayMs: number;
  /**
   * How long a `typing: true` holds without being repeated. The typist's process
   * repeats it while the user types (TypingTracker `refreshMs`), so only a typist
   * whose process died reaches this: the room then ends the typing itself.
   * Default: never (the typist's process always ends it).
   */
  typingExpiryMs?: number;
  clock: Clock;
  log: Logger;
}

export const GAP_FILL_PAGE = 500;
/** A fill that failed (storage away) is tried again after at most this long. */
const MAX_FILL_RETRY_MS = 5000;
/**
 * Section 14: an agent status not heard of for this long ends here (`idle`).
 * Its own process ends it at AGENT_STATUS_TTL_MS and says so; only a status
 * whose process died reaches this.
 */
const AGENT_STATUS_EXPIRY_MS = AGENT_STATUS_TTL_MS + 5000;
/**
 * Section 14: a held relay not renewed for this long is let go even if the
 * room never saw its stream end (a late relay that crossed the end): a live
 * stream is relayed at least every STREAM_SILENCE_MS, or ended.
 */
const HELD_STREAM_MAX_AGE_MS = STREAM_SILENCE_MS + 15_000;

/** Section 14: the latest relay of a streaming message, handed to joiners. */
export interface HeldStream {
  messageId: string;
  /** The connection streaming it (it is not sent its own text). */
  connectionId: string;
  frame: string;
  /** Clock time the relay came. */
  at: number;
}

/**
 * The connections of this process joined to one conversation, and the order in
 * which they see its changes. Changes may reach the room out of order or not at
 * all (several processes commit concurrently; a process may die between commit
 * and publish; a broker may drop), so the room delivers them strictly by seq: it
 * holds early ones back and, when a gap does not close by itself, reads the
 * missing changes from storage. Each connection sees each change once, in
 * order, from its `joined` on.
 */
export class ConversationRoom {
  /** Joined recipients and the seq their `joined` snapshot covered. */
  private readonly live = new Map<Recipient, number>();
  /*
   * The maps below are made when first needed and the transient ones dropped
   * when empty: an idle room keeps none (a Map each cost every idle room ~180
   * bytes, ~900 with all five; issue 13).
   */
  /** Recipients waiting for their snapshot, with the changes delivered meanwhile. */
  private joining: Map<Recipient, ChangeEvent[]> | null = null;
  /** Highest seq delivered; null until the room knows where storage stands. */
  private deliveredSeq: number | null = null;
  /** Changes that arrived before the room knew where storage stood. */
  private readonly early: ChangeEvent[] = [];
  private heldBack: Map<number, ChangeEvent> | null = null;
  private cancelGapFill: Cancel | null = null;
  private filling = false;
  private disposed = false;
  /** Storage's last_seq as last seen by `catchUp`: everything up to it is owed. */
  private catchUpTo = 0;
  private failedFills = 0;
  /** Clock time of the last change delivered (or caught up to). */
  private lastActivityAt = 0;
  /** Users typing here, as the events said, each with the timer that ends it if not repeated. */
  private typists: Map<string, Cancel> | null = null;
  /** Section 14: the latest relay of each message streaming here, until its end is delivered. */
  private streams: Map<string, HeldStream> | null = null;
  /** Section 14: non-idle agent statuses as the events said, each with the timer that ends it. */
  private agentStatuses: Map<string, { frame: string; cancel: Cancel }> | null = null;

  constructor(private readonly deps: RoomDeps) {}

  get size(): number {
    return this.live.size + (this.joining?.size ?? 0);
  }

  /** Users the events say are typing here now, on any process. */
  get typistIds(): string[] {
    return this.typists ? [...this.typists.keys()] : [];
  }

  /** The latest relay of each message still streaming, as far as this room heard. */
  get heldStreams(): HeldStream[] {
    this.dropOldStreams();
    return this.streams ? [...this.streams.values()] : [];
  }

  /** Serialised `agent_status` frames of the users whose status here is not idle, by user id. */
  get agentStatusFrames(): ReadonlyMap<string, string> {
    return new Map([...(this.agentStatuses ?? [])].map(([userId, { frame }]) => [userId, frame]));
  }

  /** Highest seq delivered, or null before `start`. */
  get seq(): number | null {
    return this.deliveredSeq;
  }

  /** Whether a change was delivered (or a catch-up made) within the last `ms`. */
  activeWithin(ms: number): boolean {
    return this.deps.clock.now() - this.lastActivityAt < ms;
  }

  /**
   * Storage's `last_seq`, read after the broker subscription was (re)made: what
   * the room has not delivered up to it is read from storage now, not when a
   * later change would reveal the gap. A conversation that went quiet right
   * after an outage converges too.
   */
  catchUp(lastSeq: number): void {
    if (this.disposed || this.deliveredSeq === null) return;
    this.lastActivityAt = this.deps.clock.now();
    if (lastSeq <= this.deliveredSeq) return;
    this.catchUpTo = Math.max(this.catchUpTo, lastSeq);
    if (this.filling) return; // the fill in progress reads on up to catchUpTo
    this.cancelGapFill?.();
    this.cancelGapFill = null;
    void this.fillGap();
  }

  /** Called once the broker subscription is live, with storage's last_seq read after it. */
  start(lastSeq: number): void {
    this.deliveredSeq = lastSeq;
    for (const event of this.early.splice(0)) this.onChange(event);
  }

  /** Before its snapshot is read: changes from now on are kept for the recipient. */
  beginJoin(recipient: Recipient): void {
    this.live.delete(recipient);
    (this.joining ??= new Map()).set(recipient, []);
  }

  /** After `joined` was sent: the changes past the snapshot follow, then live ones. */
  completeJoin(recipient: Recipient, snapshotSeq: number): void {
    const buffered = this.joining?.get(recipient);
    if (!buffered) return;
    this.endJoining(recipient);
    for (const event of buffered) {
      if (event.seq > snapshotSeq) recipient.sendSerialized(event.frame, event.type);
    }
    this.live.set(recipient, Math.max(snapshotSeq, buffered.at(-1)?.seq ?? 0));
  }

  remove(recipient: Recipient): void {
    this.live.delete(recipient);
    this.endJoining(recipient);
  }

  private endJoining(recipient: Recipient): void {
    if (this.joining?.delete(recipient) && this.joining.size === 0) this.joining = null;
  }

  onEvent(event: BrokerEvent): void {
    switch (event.kind) {
      case 'change':
        this.onChange(event);
        return;
      case 'others':
        if (event.type === 'typing' && !this.trackTyping(event.userId, event.frame)) return;
        if (event.type === 'agent_status') this.trackAgentStatus(event.userId, event.frame);
        for (const recipient of this.live.keys()) {
          if (recipient.userId !== event.userId) recipient.sendSerialized(event.frame, event.type);
        }
        return;
      case 'all':
        for (const recipient of this.live.keys()) recipient.sendSerialized(event.frame, event.type);
        return;
      case 'stream':
        this.dropOldStreams();
        (this.streams ??= new Map()).set(event.messageId, {
          messageId: event.messageId,
          connectionId: event.connectionId,
          frame: event.frame,
          at: this.deps.clock.now(),
        });
        for (const recipient of this.live.keys()) {
          if (recipient.id !== event.connectionId) recipient.sendSerialized(event.frame, event.type);
        }
        return;
      case 'user':
      case 'removed':
      case 'stop':
        return;
    }
  }

  dispose(): void {
    this.disposed = true;
    this.cancelGapFill?.();
    this.cancelGapFill = null;
    for (const cancel of this.typists?.values() ?? []) cancel();
    this.typists = null;
    for (const { cancel } of this.agentStatuses?.values() ?? []) cancel();
    this.agentStatuses = null;
    this.streams = null;
    this.live.clear();
    this.joining = null;
    this.heldBack = null;
  }

  private onChange(event: ChangeEvent): void {
    if (this.deliveredSeq === null) {
      this.early.push(event);
      return;
    }
    if (event.seq <= this.deliveredSeq) return;
    if (event.seq > this.deliveredSeq + 1) {
      (this.heldBack ??= new Map()).set(event.seq, event);
      this.scheduleGapFill();
      return;
    }
    this.deliver(event);
    this.releaseHeldBack();
  }

  /**
   * Keeps the room's view of who types, and says whether the event goes out: a
   * repeated `true` only re-arms the expiry (the recipients already show it).
   */
  private trackTyping(userId: string, frame: string): boolean {
    const expiryMs = this.deps.typingExpiryMs;
    if (expiryMs === undefined) return true;
    const cancel = this.typists?.get(userId);
    cancel?.();
    if (!isTypingFrame(frame)) {
      this.endTyping(userId);
      // Always passed on: a joiner may show a typist this room never heard start.
      return true;
    }
    (this.typists ??= new Map()).set(
      userId,
      this.deps.clock.setTimeout(() => this.expireTyping(userId), expiryMs),
    );
    return cancel === undefined;
  }

  /** The typist's process stopped repeating it (it died): the typing ends here. */
  private expireTyping(userId: string): void {
    if (!this.endTyping(userId) || this.disposed) return;
    const frame = serializeFrame(typingFrame(this.deps.conversationId, userId, false));
    for (const recipient of this.live.keys()) {
      if (recipient.userId !== userId) recipient.sendSerialized(frame, 'typing');
    }
  }

  /** False when the user was not typing here. */
  private endTyping(userId: string): boolean {
    if (!this.typists?.delete(userId)) return false;
    if (this.typists.size === 0) this.typists = null;
    return true;
  }

  /** Section 14: a status is kept for joiners until `idle`, or until it is not heard of for too long. */
  private trackAgentStatus(userId: string, frame: string): void {
    this.agentStatuses?.get(userId)?.cancel();
    this.endAgentStatus(userId);
    if (frame.includes('"status":"idle"')) return;
    const cancel = this.deps.clock.setTimeout(() => this.expireAgentStatus(userId), AGENT_STATUS_EXPIRY_MS);
    (this.agentStatuses ??= new Map()).set(userId, { frame, cancel });
  }

  /** The status's process stopped saying it (it died): it returns to idle here. */
  private expireAgentStatus(userId: string): void {
    if (!this.endAgentStatus(userId) || this.disposed) return;
    const frame = serializeFrame(agentStatusFrame(this.deps.conversationId, userId, 'idle', null));
    for (const recipient of this.live.keys()) {
      if (recipient.userId !== userId) recipient.sendSerialized(frame, 'agent_status');
    }
  }

  /** False when the user had no status kept here. */
  private endAgentStatus(userId: string): boolean {
    if (!this.agentStatuses?.delete(userId)) return false;
    if (this.agentStatuses.size === 0) this.agentStatuses = null;
    return true;
  }

  private dropOldStreams(): void {
    if (!this.streams) return;
    const oldest = this.deps.clock.now() - HELD_STREAM_MAX_AGE_MS;
    for (const [messageId, held] of this.streams) if (held.at < oldest) this.streams.delete(messageId);
    if (this.streams.size === 0) this.streams = null;
  }

  /** A change that shows a held stream ended (completed, or unsent) lets its relay go. */
  private releaseEndedStream(event: ChangeEvent): void {
    if (!this.streams || event.type !== 'message_updated') return;
    const { message } = JSON.parse(event.frame) as { message: Message };
    if (message.state !== 'streaming' || message.deleted_at !== null) this.streams.delete(message.id);
    if (this.streams.size === 0) this.streams = null;
  }

  private deliver(event: ChangeEvent): void {
    this.releaseEndedStream(event);
    this.lastActivityAt = this.deps.clock.now();
    this.deliveredSeq = event.seq;
    for (const [recipient, afterSeq] of this.live) {
      if (event.seq > afterSeq) recipient.sendSerialized(event.frame, event.type);
    }
    for (const buffered of this.joining?.values() ?? []) buffered.push(event);
  }

  private releaseHeldBack(): void {
    for (;;) {
      const next = this.heldBack?.get((this.deliveredSeq ?? 0) + 1);
      if (!next) break;
      this.heldBack?.delete(next.seq);
      this.deliver(next);
    }
    for (const seq of this.heldBack?.keys() ?? [])
      if (seq <= (this.deliveredSeq ?? 0)) this.heldBack?.delete(seq);
    if (this.heldBack?.size === 0) this.heldBack = null;
    if (!this.isHoldingBack() && !this.owesCatchUp() && this.cancelGapFill) {
      this.cancelGapFill();
      this.cancelGapFill = null;
    }
  }

  private isHoldingBack(): boolean {
    return (this.heldBack?.size ?? 0) > 0;
  }

  private owesCatchUp(): boolean {
    return this.deliveredSeq !== null && this.catchUpTo > this.deliveredSeq;
  }

  private scheduleGapFill(): void {
    if (this.cancelGapFill || this.filling) return;
    // Storage that failed is retried less and less often, up to every few seconds.
    const { gapFillDelayMs } = this.deps;
    const delay =
      this.failedFills === 0
        ? gapFillDelayMs
        : Math.min(gapFillDelayMs * 2 ** this.failedFills, Math.max(MAX_FILL_RETRY_MS, gapFillDelayMs));
    this.cancelGapFill = this.deps.clock.setTimeout(() => {
      this.cancelGapFill = null;
      void this.fillGap();
    }, delay);
  }

  /**
   * Reads what the broker did not bring. Storage holds each message's current
   * state, so a change superseded by a later one of the same message is delivered
   * as that later state (its own seq is skipped).
   */
  private async fillGap(): Promise<void> {
    if ((!this.isHoldingBack() && !this.owesCatchUp()) || this.deliveredSeq === null) return;
    this.filling = true;
    try {
      const missingUpTo = () =>
        Math.max(this.catchUpTo, this.heldBack?.size ? Math.min(...this.heldBack.keys()) - 1 : 0);
      while (!this.disposed && this.deliveredSeq < missingUpTo()) {
        const changes = await this.deps.changesSince(this.deliveredSeq);
        // Everyone left while storage answered: nobody is owed these.
        if (this.disposed || changes.length === 0) break;
        for (const event of changes) if (event.seq > this.deliveredSeq) this.deliver(event);
        if (changes.length < GAP_FILL_PAGE) break;
      }
      // Read to the end: a last_seq no change stands for (none today) must not keep the room filling.
      if (!this.disposed) this.catchUpTo = Math.min(this.catchUpTo, this.deliveredSeq);
      this.failedFills = 0;
    } catch (error) {
      this.failedFills = Math.min(this.failedFills + 1, 10);
      this.deps.log.error({ err: error, conversationId: this.deps.conversationId }, 'gap fill failed');
    } finally {
      this.filling = false;
    }
    if (this.disposed) return;
    this.releaseHeldBack();
    if (this.isHoldingBack() || this.owesCatchUp()) this.scheduleGapFill();
  }
}

/** Whether a serialised typing frame says `is_typing: true` (the only field that differs). */
function isTypingFrame(frame: string): boolean {
  return frame.includes('"is_typing":true');
}
