/**
 * The reconnect delays of the real client (packages/client backoff.ts, with
 * its defaults from chat-client.ts): full jitter, the n-th failed attempt waits
 * uniform [0, min(30 s, 500 ms × 2^n)). Mirrored here because the bench speaks
 * the raw protocol and does not load the client package.
 */
export const CLIENT_BACKOFF = { initialMs: 500, maxMs: 30_000 } as const;

export class JitteredBackoff {
  private attempts = 0;

  constructor(private readonly config: { initialMs: number; maxMs: number } = CLIENT_BACKOFF) {}

  /** The delay before the next attempt; counts the attempt. */
  next(): number {
    const ceiling = Math.min(this.config.maxMs, this.config.initialMs * 2 ** Math.min(this.attempts, 30));
    this.attempts++;
    return Math.floor(Math.random() * ceiling);
  }

  /** After a connection that held (the client resets once one stayed up a minute). */
  reset(): void {
    this.attempts = 0;
  }
}
