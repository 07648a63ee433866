import type { Clock } from '@chat/client';

/**
 * Sends the latest text at most once per interval: the first push goes at once, later ones
 * wait for the interval to pass and then send whatever is latest by then (intermediate texts
 * are skipped, as the server relays only the latest anyway). `flush` sends what is waiting.
 */
export class Coalescer {
  private latest: string | null = null;
  private sent: string | null = null;
  private lastSentAt = -Infinity;
  private timer: unknown = undefined;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly send: (text: string) => void,
  ) {}

  push(text: string): void {
    this.latest = text;
    if (this.timer !== undefined) return;
    const wait = this.lastSentAt + this.intervalMs - this.clock.now();
    if (wait <= 0) this.flush();
    else this.timer = this.clock.setTimeout(() => this.flush(), wait);
  }

  /** Sends the latest text now if it was not sent yet. */
  flush(): void {
    this.cancel();
    if (this.latest === null || this.latest === this.sent) return;
    this.sent = this.latest;
    this.lastSentAt = this.clock.now();
    this.send(this.latest);
  }

  /** Drops the pending send, if any. */
  cancel(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
