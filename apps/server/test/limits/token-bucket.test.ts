import { ManualClock } from '@chat/testkit';
import { describe, expect, it } from 'vitest';
import { SlidingWindowCounter, TokenBucket } from '../../src/limits/token-bucket';

describe('TokenBucket', () => {
  it('allows a burst, then answers how long until the next token', () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(20, 5, clock.now);
    for (let index = 0; index < 5; index++) expect(bucket.take()).toBe(0);
    expect(bucket.take()).toBe(50);
  });

  it('refills continuously at its rate, never beyond the burst', () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket(10, 2, clock.now);
    bucket.take();
    bucket.take();
    clock.advance(100);
    expect(bucket.take()).toBe(0);
    expect(bucket.take()).toBeGreaterThan(0);
    clock.advance(60_000);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([0, 0, 100]);
  });
});

describe('SlidingWindowCounter', () => {
  it('counts the events of the last window only', () => {
    const clock = new ManualClock();
    const counter = new SlidingWindowCounter(10_000, clock.now);
    expect(counter.record()).toBe(1);
    clock.advance(5000);
    expect(counter.record()).toBe(2);
    clock.advance(5000);
    expect(counter.record()).toBe(2);
    clock.advance(10_000);
    expect(counter.record()).toBe(1);
  });
});
