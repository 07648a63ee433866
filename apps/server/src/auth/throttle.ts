/**
 * A per-key fixed-window counter, in memory: at most `limit` attempts per key in
 * each `windowMs`. The embedded auth keys it by client IP to slow down password
 * guessing and sign-up floods on one process (several processes each count their own).
 *
 * Memory is bounded: past `maxKeys`, expired windows are swept, and if that is not
 * enough the oldest keys are dropped (forgetting a key only ever lets a client in).
 */
export interface ThrottleOptions {
  limit: number;
  windowMs: number;
  /** Keys kept at most. Default 10 000. */
  maxKeys?: number;
}

export type ThrottleResult = { ok: true } | { ok: false; retryAfterMs: number };

export interface Throttle {
  take(key: string, now?: number): ThrottleResult;
}

export function createThrottle(options: ThrottleOptions): Throttle {
  const maxKeys = options.maxKeys ?? 10_000;
  const windows = new Map<string, { count: number; resetAt: number }>();

  function makeRoom(now: number): void {
    for (const [key, window] of windows) {
      if (window.resetAt <= now) windows.delete(key);
    }
    for (const key of windows.keys()) {
      if (windows.size < maxKeys) break;
      windows.delete(key);
    }
  }

  return {
    take(key, now = Date.now()) {
      let window = windows.get(key);
      if (!window || window.resetAt <= now) {
        if (!window && windows.size >= maxKeys) makeRoom(now);
        window = { count: 0, resetAt: now + options.windowMs };
        windows.set(key, window);
      }
      if (window.count >= options.limit) return { ok: false, retryAfterMs: window.resetAt - now };
      window.count += 1;
      return { ok: true };
    },
  };
}
