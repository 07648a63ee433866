interface Timer {
  at: number;
  /** Order of scheduling, so timers due at the same time fire in the order set. */
  order: number;
  callback: () => void;
  /** Set for an interval: fires again this long after each firing. */
  everyMs: number | null;
  cancelled: boolean;
}

/**
 * A clock that moves only when told to, for the server's and the client's
 * injected clocks (both shapes are served: `setTimeout` returns a function that
 * cancels, which `clearTimeout` also accepts as the handle). A test advances
 * it to show that a deadline passed without something happening, instead of
 * sleeping; the sockets and the server it drives stay real.
 */
export class ManualClock {
  private time: number;
  private order = 0;
  private timers: Timer[] = [];

  constructor(start = Date.now()) {
    this.time = start;
  }

  readonly now = (): number => this.time;

  readonly setTimeout = (callback: () => void, ms: number): (() => void) => this.add(callback, ms, null);

  readonly setInterval = (callback: () => void, ms: number): (() => void) =>
    this.add(callback, ms, Math.max(1, ms));

  readonly clearTimeout = (handle: unknown): void => {
    if (typeof handle === 'function') (handle as () => void)();
  };

  /** Timers waiting to fire. */
  get pending(): number {
    return this.timers.filter((timer) => !timer.cancelled).length;
  }

  /**
   * Moves time on by `ms`, firing every timer that falls due on the way, each
   * at its own time and in order (a timer set by a callback fires too if it
   * falls due within the same advance).
   */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      const next = this.nextDue(target);
      if (!next) break;
      this.time = Math.max(this.time, next.at);
      if (next.everyMs === null) next.cancelled = true;
      else next.at += next.everyMs;
      this.timers = this.timers.filter((timer) => !timer.cancelled);
      next.callback();
    }
    this.time = target;
  }

  private nextDue(limit: number): Timer | undefined {
    let next: Timer | undefined;
    for (const timer of this.timers) {
      if (timer.cancelled || timer.at > limit) continue;
      if (!next || timer.at < next.at || (timer.at === next.at && timer.order < next.order)) next = timer;
    }
    return next;
  }

  private add(callback: () => void, ms: number, everyMs: number | null): () => void {
    const timer: Timer = {
      at: this.time + Math.max(0, ms),
      order: this.order++,
      callback,
      everyMs,
      cancelled: false,
    };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }
}
