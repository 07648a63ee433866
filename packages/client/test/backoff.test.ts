import { describe, expect, test } from 'vitest';
import { Backoff } from '../src/index';

describe('Backoff: exponential with full jitter', () => {
  test('the ceiling doubles from initialMs up to maxMs', () => {
    const backoff = new Backoff({ initialMs: 500, maxMs: 30_000, random: () => 0.999999 });
    const delays = Array.from({ length: 9 }, () => backoff.next());
    const ceilings = [500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000];
    delays.forEach((delay, index) => {
      expect(delay).toBeLessThan(ceilings[index]!);
      expect(delay).toBeGreaterThanOrEqual(ceilings[index]! - 1);
    });
  });

  test('every delay lies in [0, ceiling) (full jitter)', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1000 });
    for (let attempt = 0; attempt < 200; attempt++) {
      const ceiling = backoff.ceilingMs;
      const delay = backoff.next();
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(ceiling);
    }
  });

  test('jitter spreads clients: random 0 gives 0, random 0.5 gives half', () => {
    expect(new Backoff({ initialMs: 800, maxMs: 10_000, random: () => 0 }).next()).toBe(0);
    expect(new Backoff({ initialMs: 800, maxMs: 10_000, random: () => 0.5 }).next()).toBe(400);
  });

  test('reset starts again from initialMs', () => {
    const backoff = new Backoff({ initialMs: 500, maxMs: 30_000 });
    for (let attempt = 0; attempt < 5; attempt++) backoff.next();
    expect(backoff.attempt).toBe(5);
    expect(backoff.ceilingMs).toBe(16_000);
    backoff.reset();
    expect(backoff.attempt).toBe(0);
    expect(backoff.ceilingMs).toBe(500);
  });

  test('a huge attempt count does not overflow', () => {
    const backoff = new Backoff({ initialMs: 500, maxMs: 30_000, random: () => 0.5 });
    for (let attempt = 0; attempt < 5000; attempt++) backoff.next();
    expect(backoff.next()).toBe(15_000);
  });
});
