import type { BrokerEvent, ChangeEvent } from '../broker/broker';
import type { Cancel, Clock } from '../clock';
import type { Logger } from '../logger';
import type { Recipient } from './recipient';

export interface RoomDeps {
  conversationId: string;
  /** Reads up to `GAP_FILL_PAGE` changes after `sinceSeq` from storage, to fill a gap the broker left. */
  changesSince: (sinceSeq: number) => Promise<ChangeEvent[]>;
  /** How long a gap may stay open before it is filled from storage. */
  gapFillDelayMs: number;
  clock: Clock;
  log: Logger;
}

export const GAP_FILL_PAGE = 500;

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
  /** Recipients waiting for their snapshot, with the changes delivered meanwhile. */
  private readonly joining = new Map<Recipient, ChangeEvent[]>();
  /** Highest seq delivered; null until the room knows where storage stands. */
  private deliveredSeq: number | null = null;
  /** Changes that arrived before the room knew where storage stood. */
  private readonly early: ChangeEvent[] = [];
  private readonly heldBack = new Map<number, ChangeEvent>();
  private cancelGapFill: Cancel | null = null;
  private filling = false;
  private disposed = false;

  constructor(private readonly deps: RoomDeps) {}

  get size(): number {
    return this.live.size + this.joining.size;
  }

  /** Called once the broker subscription is live, with storage's last_seq read after it. */
  start(lastSeq: number): void {
    this.deliveredSeq = lastSeq;
    for (const event of this.early.splice(0)) this.onChange(event);
  }

  /** Before its snapshot is read: changes from now on are kept for the recipient. */
  beginJoin(recipient: Recipient): void {
    this.live.delete(recipient);
    this.joining.set(recipient, []);
  }

  /** After `joined` was sent: the changes past the snapshot follow, then live ones. */
  completeJoin(recipient: Recipient, snapshotSeq: number): void {
    const buffered = this.joining.get(recipient);
    if (!buffered) return;
    this.joining.delete(recipient);
    for (const event of buffered) {
      if (event.seq > snapshotSeq) recipient.sendSerialized(event.frame, event.type);
    }
    this.live.set(recipient, Math.max(snapshotSeq, buffered.at(-1)?.seq ?? 0));
  }

  remove(recipient: Recipient): void {
    this.live.delete(recipient);
    this.joining.delete(recipient);
  }

  onEvent(event: BrokerEvent): void {
    switch (event.kind) {
      case 'change':
        this.onChange(event);
        return;
      case 'others':
        for (const recipient of this.live.keys()) {
          if (recipient.userId !== event.userId) recipient.sendSerialized(event.frame, event.type);
        }
        return;
      case 'all':
        for (const recipient of this.live.keys()) recipient.sendSerialized(event.frame, event.type);
        return;
      case 'user':
        return;
    }
  }

  dispose(): void {
    this.disposed = true;
    this.cancelGapFill?.();
    this.cancelGapFill = null;
    this.live.clear();
    this.joining.clear();
    this.heldBack.clear();
  }

  private onChange(event: ChangeEvent): void {
    if (this.deliveredSeq === null) {
      this.early.push(event);
      return;
    }
    if (event.seq <= this.deliveredSeq) return;
    if (event.seq > this.deliveredSeq + 1) {
      this.heldBack.set(event.seq, event);
      this.scheduleGapFill();
      return;
    }
    this.deliver(event);
    this.releaseHeldBack();
  }

  private deliver(event: ChangeEvent): void {
    this.deliveredSeq = event.seq;
    for (const [recipient, afterSeq] of this.live) {
      if (event.seq > afterSeq) recipient.sendSerialized(event.frame, event.type);
    }
    for (const buffered of this.joining.values()) buffered.push(event);
  }

  private releaseHeldBack(): void {
    for (;;) {
      const next = this.heldBack.get((this.deliveredSeq ?? 0) + 1);
      if (!next) break;
      this.heldBack.delete(next.seq);
      this.deliver(next);
    }
    for (const seq of this.heldBack.keys()) if (seq <= (this.deliveredSeq ?? 0)) this.heldBack.delete(seq);
    if (this.heldBack.size === 0 && this.cancelGapFill) {
      this.cancelGapFill();
      this.cancelGapFill = null;
    }
  }

  private scheduleGapFill(): void {
    if (this.cancelGapFill || this.filling) return;
    this.cancelGapFill = this.deps.clock.setTimeout(() => {
      this.cancelGapFill = null;
      void this.fillGap();
    }, this.deps.gapFillDelayMs);
  }

  /**
   * Reads what the broker did not bring. Storage holds each message's current
   * state, so a change superseded by a later one of the same message is delivered
   * as that later state (its own seq is skipped).
   */
  private async fillGap(): Promise<void> {
    if (this.heldBack.size === 0 || this.deliveredSeq === null) return;
    this.filling = true;
    try {
      const missingUpTo = Math.min(...this.heldBack.keys()) - 1;
      while (!this.disposed && this.deliveredSeq < missingUpTo) {
        const changes = await this.deps.changesSince(this.deliveredSeq);
        // Everyone left while storage answered: nobody is owed these.
        if (this.disposed || changes.length === 0) break;
        for (const event of changes) if (event.seq > this.deliveredSeq) this.deliver(event);
        if (changes.length < GAP_FILL_PAGE) break;
      }
    } catch (error) {
      this.deps.log.error({ err: error, conversationId: this.deps.conversationId }, 'gap fill failed');
    } finally {
      this.filling = false;
    }
    if (this.disposed) return;
    this.releaseHeldBack();
    if (this.heldBack.size > 0) this.scheduleGapFill();
  }
}
