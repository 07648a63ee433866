import { ManualClock } from '@chat/testkit';
import { describe, expect, it } from 'vitest';
import { KeyedTokenBuckets } from '../../src/limits/token-bucket';

describe('KeyedTokenBuckets', () => {
  it('keeps one bucket per key: one key spent leaves the others whole', () => {
    const clock = new ManualClock();
    const buckets = new KeyedTokenBuckets(10, 3, clock.now);
    for (let index = 0; index < 3; index++) expect(buckets.take('react:alice')).toBe(0);
    expect(buckets.take('react:alice')).toBe(100);
    expect(buckets.take('react:bob')).toBe(0);
    expect(buckets.take('typing:alice')).toBe(0);
  });

  it('forgets buckets idle long enough to have refilled, and nothing else', () => {
    const clock = new ManualClock();
    const buckets = new KeyedTokenBuckets(10, 3, clock.now);
    for (let index = 0; index < 100; index++) buckets.take(`user${index}`);
    expect(buckets.size).toBe(100);
    clock.advance(200);
    buckets.take('busy');
    buckets.take('busy');
    buckets.take('busy');
    clock.advance(200);
    // 400 ms: past the 300 ms refill of the idle ones; "busy" was used 200 ms ago and is not yet full.
    expect(buckets.take('busy')).toBe(0);
    expect(buckets.size).toBe(1);
    // Its state was kept: 2 tokens refilled in 200 ms, one taken above.
    expect(buckets.take('busy')).toBe(0);
    expect(buckets.take('busy')).toBeGreaterThan(0);
  });
});
