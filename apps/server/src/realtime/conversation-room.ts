import type { BrokerEvent, ChangeEvent } from '../broker/broker';
import type { Logger } from '../logger';
import type { Connection } from '../ws/connection';

export interface RoomDeps {
  conversationId: string;
  /** Reads the changes after `sinceSeq` from storage, to fill a gap the broker left. */
  changesSince: (sinceSeq: number) => Promise<ChangeEvent[]>;
  gapFillDelayMs: number;
  log: Logger;
}

const GAP_FILL_PAGE = 500;

/**
 * The connections of this process joined to one conversation, and the order in
 * which they see its changes. Changes may reach the room out of order or not at
 * all (several processes commit concurrently; a process may die between commit
 * and publish), so the room delivers them strictly by seq: it holds early ones
 * back and, when a gap does not close by itself, reads the missing changes from
 * storage. Each connection sees each change once, in order, from its `joined` on.
 */
export class ConversationRoom {
  /** Joined connections and the seq their `joined` snapshot covered. */
  private readonly live = new Map<Connection, number>();
  /** Connections waiting for their snapshot, with the changes delivered meanwhile. */
  private readonly joining = new Map<Connection, ChangeEvent[]>();
  /** Highest seq delivered; null until the room knows where storage stands. */
  private deliveredSeq: number | null = null;
  private readonly early: ChangeEvent[] = [];
  private readonly heldBack = new Map<number, ChangeEvent>();
  private gapTimer: NodeJS.Timeout | null = null;
  private filling = false;

  constructor(private readonly deps: RoomDeps) {}

  get conversationId(): string {
    return this.deps.conversationId;
  }

  get size(): number {
    return this.live.size + this.joining.size;
  }

  /** Called once the broker subscription is live, with storage's last_seq read after it. */
  start(lastSeq: number): void {
    this.deliveredSeq = lastSeq;
    for (const event of this.early.splice(0)) this.onChange(event);
  }

  /** Before its snapshot is read: changes from now on are kept for the connection. */
  beginJoin(connection: Connection): void {
    this.live.delete(connection);
    this.joining.set(connection, []);
  }

  /** After `joined` was sent: the changes past the snapshot follow, then live ones. */
  completeJoin(connection: Connection, snapshotSeq: number): void {
    const buffered = this.joining.get(connection);
    if (!buffered) return;
    this.joining.delete(connection);
    for (const event of buffered) {
      if (event.seq > snapshotSeq) connection.sendSerialized(event.frame, event.type);
    }
    this.live.set(connection, Math.max(snapshotSeq, buffered.at(-1)?.seq ?? 0));
  }

  isJoined(connection: Connection): boolean {
    return this.live.has(connection) || this.joining.has(connection);
  }

  remove(connection: Connection): void {
    this.live.delete(connection);
    this.joining.delete(connection);
  }

  onEvent(event: BrokerEvent): void {
    switch (event.kind) {
      case 'change':
        this.onChange(event);
        return;
      case 'others':
        for (const connection of this.live.keys()) {
          if (connection.userId !== event.userId) connection.sendSerialized(event.frame, event.type);
        }
        return;
      case 'all':
        for (const connection of this.live.keys()) connection.sendSerialized(event.frame, event.type);
        return;
      case 'user':
        return;
    }
  }

  dispose(): void {
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.gapTimer = null;
    this.live.clear();
    this.joining.clear();
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
    for (const [connection, afterSeq] of this.live) {
      if (event.seq > afterSeq) connection.sendSerialized(event.frame, event.type);
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
    if (this.heldBack.size === 0 && this.gapTimer) {
      clearTimeout(this.gapTimer);
      this.gapTimer = null;
    }
  }

  private scheduleGapFill(): void {
    if (this.gapTimer || this.filling) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = null;
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
      while (this.deliveredSeq < missingUpTo) {
        const changes = await this.deps.changesSince(this.deliveredSeq);
        if (changes.length === 0) break;
        for (const event of changes) if (event.seq > this.deliveredSeq) this.deliver(event);
        if (changes.length < GAP_FILL_PAGE) break;
      }
    } catch (error) {
      this.deps.log.error({ err: error, conversationId: this.conversationId }, 'gap fill failed');
    } finally {
      this.filling = false;
    }
    this.releaseHeldBack();
    if (this.heldBack.size > 0) this.scheduleGapFill();
  }
}
