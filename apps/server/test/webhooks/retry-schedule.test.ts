import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_SCHEDULE, nextAttemptAt } from '../../src/webhooks/retry-schedule';

const HOUR = 3_600_000;
const next = (attempts: number, sinceQueued: number) =>
  nextAttemptAt(DEFAULT_RETRY_SCHEDULE, { createdAt: 0, attempts, now: sinceQueued });

describe('webhook retry schedule', () => {
  it('retries first after 5 s (within 30 s), then waits longer each time up to an hour', () => {
    expect(next(1, 0)).toBe(5000);
    expect(next(2, 5000)).toBe(35_000);
    expect(next(3, 35_000)).toBe(155_000);
    expect(next(6, 2 * HOUR)).toBe(3 * HOUR);
    expect(next(40, 10 * HOUR)).toBe(11 * HOUR);
  });

  it('makes the last attempt 24 h after queueing, then gives up', () => {
    expect(next(25, 23.5 * HOUR)).toBe(24 * HOUR);
    expect(next(26, 24 * HOUR)).toBeNull();
  });
});
