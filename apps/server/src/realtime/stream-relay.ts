import type { Cancel, Clock } from '../clock';

/**
 * The relay of one streaming message (section 14): at most one per interval,
 * always the latest text. A text that comes within the interval waits for its
 * end (the trailing relay), and a newer one meanwhile replaces it: a sender
 * streaming 50 times a second is relayed 10 times a second, and its last text
 * is never left unsent.
 */
export class StreamRelay {
  private lastRelayAt = Number.NEGATIVE_INFINITY;
  private waiting: string | null = null;
  private cancelTrailing: Cancel | null = null;

  constructor(
    private readonly deps: {
      intervalMs: number;
      clock: Clock;
      relay: (body: string) => void;
    },
  ) {}

  push(body: string): void {
    const now = this.deps.clock.now();
    const dueAt = this.lastRelayAt + this.deps.intervalMs;
    if (now >= dueAt && this.cancelTrailing === null) {
      this.send(body);
      return;
    }
    this.waiting = body;
    this.cancelTrailing ??= this.deps.clock.setTimeout(() => {
      this.cancelTrailing = null;
      const latest = this.waiting;
      this.waiting = null;
      if (latest !== null) this.send(latest);
    }, dueAt - now);
  }

  /** The stream ended: a relay still waiting is dropped (the stored end supersedes it). */
  cancel(): void {
    this.cancelTrailing?.();
    this.cancelTrailing = null;
    this.waiting = null;
  }

  private send(body: string): void {
    this.lastRelayAt = this.deps.clock.now();
    this.deps.relay(body);
  }
}
