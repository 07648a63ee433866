export interface BackoffConfig {
  initialMs: number;
  maxMs: number;
  /** Returns a number in [0, 1). Injectable for tests. */
  random?: () => number;
}

/**
 * Exponential backoff with full jitter: the n-th delay is uniform in
 * [0, min(maxMs, initialMs * 2^n)). Spreads a crowd of reconnecting clients
 * over the whole window instead of having them all return at once.
 */
export class Backoff {
  private attempts = 0;
  private readonly random: () => number;

  constructor(private readonly config: BackoffConfig) {
    this.random = config.random ?? Math.random;
  }

  /** Failed attempts since the last reset. */
  get attempt(): number {
    return this.attempts;
  }

  /** The ceiling of the next delay, before jitter. */
  get ceilingMs(): number {
    // 2^attempts grows past maxMs long before it overflows; cap the exponent anyway.
    return Math.min(this.config.maxMs, this.config.initialMs * 2 ** Math.min(this.attempts, 30));
  }

  /** The delay before the next attempt; counts the attempt. */
  next(): number {
    const delay = Math.floor(this.random() * this.ceilingMs);
    this.attempts++;
    return delay;
  }

  /** After a stable connection: start again from initialMs. */
  reset(): void {
    this.attempts = 0;
  }
}
