/**
 * Password guessing, slowed per account and per source address with a delay
 * that doubles with each failure past a free allowance, instead of a fixed
 * lock-out:
 *
 * - Each attempt is counted when it starts (so a burst of parallel guesses
 *   cannot all slip in before the first failure is recorded), and a success
 *   takes it back.
 * - An address that has signed in to an account before is "known" for it: its
 *   attempts on that account are counted on their own, apart from the account's
 *   and the address's counters. An attacker hammering an account elsewhere, or
 *   sharing the victim's NAT, does not delay the victim at the address they use.
 *
 * In memory, per process (bounded); the delay is what caps the guesses, so a
 * restart at worst hands out one more free allowance.
 */
export interface SignInThrottleOptions {
  /** Failures per account (and per known address of it) before the delay starts; 0 turns that off. */
  accountFreeFailures: number;
  /** Failures per source address, over all accounts, before the delay starts; 0 turns that off. */
  addressFreeFailures: number;
  /** The first delay; each further failure doubles it. Default 1 s. */
  baseDelayMs?: number;
  maxDelayMs: number;
  /** A counter with no failure for this long starts over. Default 1 hour. */
  forgetAfterMs?: number;
  /** How long a successful address stays known to an account. Default 30 days. */
  knownAddressMs?: number;
  /** Entries kept at most (counters and known addresses each). Default 50 000. */
  maxKeys?: number;
  now: () => number;
}

export interface SignInThrottle {
  /** 0 when the attempt may go ahead (and is now counted); else the ms to wait. */
  attempt(email: string, address: string): number;
  /** The attempt proved the password: the account's counters start over and the address becomes known. */
  succeeded(email: string, address: string): void;
}

interface Counter {
  failures: number;
  lastAt: number;
  nextAt: number;
}

export function createSignInThrottle(options: SignInThrottleOptions): SignInThrottle {
  const baseDelayMs = options.baseDelayMs ?? 1000;
  const forgetAfterMs = options.forgetAfterMs ?? 3_600_000;
  const knownAddressMs = options.knownAddressMs ?? 30 * 24 * 3_600_000;
  const maxKeys = options.maxKeys ?? 50_000;
  const counters = new Map<string, Counter>();
  const known = new Map<string, number>();

  function live(key: string, now: number): Counter | undefined {
    const counter = counters.get(key);
    if (counter && now - counter.lastAt > forgetAfterMs) {
      counters.delete(key);
      return undefined;
    }
    return counter;
  }

  function count(key: string, free: number, now: number): void {
    const counter = live(key, now) ?? { failures: 0, lastAt: now, nextAt: now };
    counter.failures += 1;
    counter.lastAt = now;
    if (counter.failures >= free) {
      const doublings = Math.min(counter.failures - free, 30);
      counter.nextAt = now + Math.min(baseDelayMs * 2 ** doublings, options.maxDelayMs);
    }
    // Re-inserting keeps the map in last-use order, so trimming drops the stalest.
    counters.delete(key);
    counters.set(key, counter);
    trim(counters);
  }

  function trim(map: Map<string, unknown>): void {
    for (const key of map.keys()) {
      if (map.size <= maxKeys) break;
      map.delete(key);
    }
  }

  function keysOf(email: string, address: string, now: number): Array<[string, number]> {
    const pair = `${email}\u0000${address}`;
    const knownAt = known.get(pair);
    const isKnown = knownAt !== undefined && now - knownAt < knownAddressMs;
    const keys: Array<[string, number]> = [];
    if (isKnown) {
      if (options.accountFreeFailures > 0) keys.push([`pair:${pair}`, options.accountFreeFailures]);
      return keys;
    }
    if (options.accountFreeFailures > 0) keys.push([`account:${email}`, options.accountFreeFailures]);
    if (options.addressFreeFailures > 0) keys.push([`address:${address}`, options.addressFreeFailures]);
    return keys;
  }

  return {
    attempt(email, address) {
      const now = options.now();
      const keys = keysOf(email, address, now);
      const wait = Math.max(0, ...keys.map(([key]) => (live(key, now)?.nextAt ?? now) - now));
      if (wait > 0) return wait;
      for (const [key, free] of keys) count(key, free, now);
      return 0;
    },

    succeeded(email, address) {
      const now = options.now();
      const pair = `${email}\u0000${address}`;
      counters.delete(`account:${email}`);
      counters.delete(`pair:${pair}`);
      const byAddress = live(`address:${address}`, now);
      if (byAddress && byAddress.failures > 0) byAddress.failures -= 1;
      known.delete(pair);
      known.set(pair, now);
      trim(known);
    },
  };
}
