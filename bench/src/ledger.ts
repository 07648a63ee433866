import { LatencyRecorder } from './latency';

interface Entry {
  sentAt: number;
  /** Index of the sending connection: its own copy is not an end-to-end delivery. */
  sender: number;
  acks: number;
  deliveries: number;
  expected: number;
}

/** The books of one measured run: every send, its ack, its deliveries, and what went wrong. */
export interface LedgerCounts {
  sent: number;
  acked: number;
  /** `message` frames received, own copies included. */
  delivered: number;
  expectedDeliveries: number;
  lostAcks: number;
  lostDeliveries: number;
  doubledAcks: number;
  doubledDeliveries: number;
  /** A connection saw a seq that was not its previous one plus one (a gap, a repeat, a reorder). */
  orderViolations: number;
  /** Frames naming a client_id this run never sent. */
  strays: number;
  errors: Record<string, number>;
}

/**
 * Counts sent vs acked vs delivered per client_id, so a run can say exactly what
 * was lost or doubled, and records ack latency (send → message_ack) and
 * end-to-end latency (send → `message` at every OTHER member). O(1) per frame.
 */
export class DeliveryLedger {
  readonly ackLatency = new LatencyRecorder();
  readonly endToEnd = new LatencyRecorder();
  private readonly entries = new Map<string, Entry>();
  private sentCount = 0;
  private ackedUnique = 0;
  private deliveredTotal = 0;
  private deliveredCounted = 0;
  private expectedTotal = 0;
  private doubledAcks = 0;
  private doubledDeliveries = 0;
  private orderViolations = 0;
  private strays = 0;
  private readonly errors: Record<string, number> = {};
  /** performance.now() of the last ack or delivery. */
  lastArrival = 0;

  /** Call right before the frame goes out; `expectedDeliveries` counts the sender's own copy if it is joined. */
  sent(clientId: string, sender: number, expectedDeliveries: number): void {
    this.entries.set(clientId, {
      sentAt: performance.now(),
      sender,
      acks: 0,
      deliveries: 0,
      expected: expectedDeliveries,
    });
    this.sentCount++;
    this.expectedTotal += expectedDeliveries;
  }

  ack(clientId: string, at: number): void {
    const entry = this.entries.get(clientId);
    if (!entry) {
      this.strays++;
      return;
    }
    this.lastArrival = at;
    if (++entry.acks === 1) {
      this.ackedUnique++;
      this.ackLatency.record(at - entry.sentAt);
    } else this.doubledAcks++;
  }

  delivery(clientId: string, receiver: number, at: number): void {
    const entry = this.entries.get(clientId);
    if (!entry) {
      this.strays++;
      return;
    }
    this.lastArrival = at;
    this.deliveredTotal++;
    if (++entry.deliveries > entry.expected) {
      this.doubledDeliveries++;
      return;
    }
    this.deliveredCounted++;
    if (receiver !== entry.sender) this.endToEnd.record(at - entry.sentAt);
  }

  error(code: string): void {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }

  orderViolation(): void {
    this.orderViolations++;
  }

  /** Every send acked and every expected copy delivered. */
  get settled(): boolean {
    return this.ackedUnique === this.sentCount && this.deliveredCounted === this.expectedTotal;
  }

  get inFlight(): number {
    return this.sentCount - this.ackedUnique;
  }

  /**
   * Resolves when settled, or after `timeoutMs` (or as soon as `hopeless()`, say
   * every socket closed) with whatever is still missing counted as lost.
   */
  async drain(timeoutMs: number, hopeless: () => boolean = () => false): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!this.settled && performance.now() < deadline && !hopeless()) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  counts(): LedgerCounts {
    return {
      sent: this.sentCount,
      acked: this.ackedUnique,
      delivered: this.deliveredTotal,
      expectedDeliveries: this.expectedTotal,
      lostAcks: this.sentCount - this.ackedUnique,
      lostDeliveries: this.expectedTotal - this.deliveredCounted,
      doubledAcks: this.doubledAcks,
      doubledDeliveries: this.doubledDeliveries,
      orderViolations: this.orderViolations,
      strays: this.strays,
      errors: { ...this.errors },
    };
  }
}

/** What is wrong with a run's books, as failure messages (none when all is well). */
export function ledgerFailures(label: string, counts: LedgerCounts): string[] {
  const failures: string[] = [];
  if (counts.lostAcks > 0) failures.push(`${label}: ${counts.lostAcks} of ${counts.sent} sends never acked`);
  if (counts.lostDeliveries > 0) {
    failures.push(`${label}: ${counts.lostDeliveries} of ${counts.expectedDeliveries} deliveries lost`);
  }
  if (counts.doubledAcks > 0) failures.push(`${label}: ${counts.doubledAcks} acks doubled`);
  if (counts.doubledDeliveries > 0) failures.push(`${label}: ${counts.doubledDeliveries} deliveries doubled`);
  if (counts.orderViolations > 0) failures.push(`${label}: ${counts.orderViolations} seq gaps or reorders`);
  if (counts.strays > 0) failures.push(`${label}: ${counts.strays} frames for unknown client_ids`);
  const errors = Object.entries(counts.errors);
  if (errors.length > 0) {
    failures.push(`${label}: error frames ${errors.map(([code, n]) => `${code}×${n}`).join(', ')}`);
  }
  return failures;
}
