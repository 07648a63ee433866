/**
 * Time as the server sees it: the wall clock and its timers. Every timer of the
 * server goes through one of these, so a test can hand `createServer` a clock it
 * moves by hand (packages/testkit `ManualClock`) and prove that something does
 * NOT happen without sleeping.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `callback` once after `ms`. Timers never hold the process open. */
  setTimeout(callback: () => void, ms: number): Cancel;
  /** Calls `callback` every `ms` until cancelled. */
  setInterval(callback: () => void, ms: number): Cancel;
}

/** Stops a timer; harmless once it fired or was already stopped. */
export type Cancel = () => void;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
  setInterval(callback, ms) {
    const timer = setInterval(callback, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};
