import type { Clock } from '@chat/client';

/**
 * The runtime's own timers, counted: a client whose clock has no timer
 * pending and no socket open can do nothing more by itself, which proves that
 * it stays closed without sleeping to watch it.
 */
export class CountingClock implements Clock {
  private readonly live = new Set<ReturnType<typeof setTimeout>>();

  get pending(): number {
    return this.live.size;
  }

  readonly now = (): number => Date.now();

  readonly setTimeout = (callback: () => void, ms: number): unknown => {
    const handle = setTimeout(() => {
      this.live.delete(handle);
      callback();
    }, ms);
    this.live.add(handle);
    return handle;
  };

  readonly clearTimeout = (handle: unknown): void => {
    const timer = handle as ReturnType<typeof setTimeout> | undefined;
    if (timer === undefined) return;
    this.live.delete(timer);
    clearTimeout(timer);
  };
}
