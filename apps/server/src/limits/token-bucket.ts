/**
 * A token bucket: `ratePerSec` tokens refill continuously up to `burst`.
 * `take()` answers 0 when a token was taken, else the milliseconds until one is due.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    private readonly now: () => number = performance.now.bind(performance),
  ) {
    this.tokens = burst;
    this.updatedAt = this.now();
  }

  take(): number {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.ratePerSec);
    this.updatedAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.ratePerSec) * 1000);
  }
}

/** Counts events in a sliding window; used to close connections that keep flooding. */
export class SlidingWindowCounter {
  private readonly times: number[] = [];

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = performance.now.bind(performance),
  ) {}

  /** Records one event and returns how many fell in the window, this one included. */
  record(): number {
    const now = this.now();
    this.times.push(now);
    while (this.times.length > 0 && (this.times[0] ?? now) <= now - this.windowMs) this.times.shift();
    return this.times.length;
  }
}

/**
 * One token bucket per key (a user and a frame type): buckets that have
 * refilled are dropped now and then, so the map holds only the recently busy.
 */
export class KeyedTokenBuckets {
  private readonly buckets = new Map<string, { bucket: TokenBucket; lastUsed: number }>();
  private nextSweepAt: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    private readonly now: () => number = performance.now.bind(performance),
  ) {
    this.nextSweepAt = this.now() + this.refillMs();
  }

  /** 0 when a token was taken from `key`'s bucket, else the milliseconds until one is due. */
  take(key: string): number {
    const now = this.now();
    if (now >= this.nextSweepAt) this.sweep(now);
    let entry = this.buckets.get(key);
    if (!entry) {
      entry = { bucket: new TokenBucket(this.ratePerSec, this.burst, this.now), lastUsed: now };
      this.buckets.set(key, entry);
    }
    entry.lastUsed = now;
    return entry.bucket.take();
  }

  get size(): number {
    return this.buckets.size;
  }

  /** A bucket untouched for as long as it takes to refill is full again: forgetting it changes nothing. */
  private sweep(now: number): void {
    const idleFor = this.refillMs();
    for (const [key, entry] of this.buckets) if (now - entry.lastUsed >= idleFor) this.buckets.delete(key);
    this.nextSweepAt = now + idleFor;
  }

  private refillMs(): number {
    return Math.ceil((this.burst / this.ratePerSec) * 1000);
  }
}
