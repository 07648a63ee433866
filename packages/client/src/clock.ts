/**
 * Where the client's time comes from. Every timer of the client (reconnect
 * backoff, handshake deadline, heartbeat, token refresh, typing, rate-limit
 * pauses) goes through one Clock, so that a test can hold time still or move
 * it on at will while the sockets and the server stay real.
 */
export interface Clock {
  /** Epoch milliseconds, as `Date.now()`. */
  now(): number;
  /** Returns a handle for `clearTimeout`, opaque to the client (never undefined). */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Accepts `undefined` (no timer) as the global one does. */
  clearTimeout(handle: unknown): void;
}

/** The runtime's own timers, looked up at each call (so Vitest's fake timers still reach them). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout> | undefined),
};
