import type { Cancel, Clock } from '../clock';

/** setTimeout's ceiling; a later deadline is re-armed when this fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What the queue holds: it keeps the item's place in the heap on the item (-1: not queued). */
export interface Deadlined {
  deadlineIndex: number;
}

/**
 * Items that are due at a time, on one timer for all of them: each socket's
 * token expiry on a timer of its own (a Timeout, two closures and their
 * contexts) cost every idle connection ~300 bytes (issue 13). A binary min-heap
 * by deadline whose items know their index, so a refresh moves one and a close
 * removes it in O(log n); the timer is armed for the earliest deadline only.
 */
export class DeadlineQueue<T extends Deadlined> {
  private readonly items: T[] = [];
  private readonly deadlines: number[] = [];
  private armedFor = Number.POSITIVE_INFINITY;
  private cancelTimer: Cancel | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly onDue: (item: T) => void,
  ) {}

  get size(): number {
    return this.items.length;
  }

  /** Due at `deadline` (ms since the epoch), replacing its earlier deadline; never when not finite. */
  set(item: T, deadline: number): void {
    if (!Number.isFinite(deadline)) {
      this.delete(item);
      return;
    }
    let index = item.deadlineIndex;
    if (index < 0) {
      index = this.items.length;
      this.items.push(item);
      this.deadlines.push(deadline);
      item.deadlineIndex = index;
    } else {
      this.deadlines[index] = deadline;
    }
    this.restore(index);
    this.arm();
  }

  delete(item: T): void {
    const index = item.deadlineIndex;
    if (index < 0) return;
    item.deadlineIndex = -1;
    const lastItem = this.items.pop() as T;
    const lastDeadline = this.deadlines.pop() as number;
    if (index < this.items.length) {
      this.place(index, lastItem, lastDeadline);
      this.restore(index);
    }
    // A timer armed for a deadline that left fires early and finds nothing due: harmless.
  }

  stop(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.armedFor = Number.POSITIVE_INFINITY;
  }

  private fire(): void {
    this.cancelTimer = null;
    this.armedFor = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    while (this.items.length > 0 && (this.deadlines[0] as number) <= now) {
      const due = this.items[0] as T;
      this.delete(due);
      this.onDue(due);
    }
    this.arm();
  }

  private arm(): void {
    const next = this.deadlines[0];
    if (next === undefined || (this.cancelTimer !== null && this.armedFor <= next)) return;
    this.cancelTimer?.();
    this.armedFor = next;
    const delay = Math.min(Math.max(next - this.clock.now(), 0), MAX_TIMER_MS);
    this.cancelTimer = this.clock.setTimeout(() => this.fire(), delay);
  }

  /** Moves the entry at `index` up or down until the heap holds again. */
  private restore(index: number): void {
    const item = this.items[index] as T;
    const deadline = this.deadlines[index] as number;
    let at = index;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if ((this.deadlines[parent] as number) <= deadline) break;
      this.place(at, this.items[parent] as T, this.deadlines[parent] as number);
      at = parent;
    }
    const count = this.items.length;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= count) break;
      if (child + 1 < count && (this.deadlines[child + 1] as number) < (this.deadlines[child] as number))
        child++;
      if ((this.deadlines[child] as number) >= deadline) break;
      this.place(at, this.items[child] as T, this.deadlines[child] as number);
      at = child;
    }
    this.place(at, item, deadline);
  }

  private place(index: number, item: T, deadline: number): void {
    this.items[index] = item;
    this.deadlines[index] = deadline;
    item.deadlineIndex = index;
  }
}
