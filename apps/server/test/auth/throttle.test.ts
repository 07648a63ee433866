import { describe, expect, it } from 'vitest';
import { createThrottle } from '../../src/auth/throttle';

describe('throttle', () => {
  it('allows `limit` attempts per window and says when to retry', () => {
    const throttle = createThrottle({ limit: 2, windowMs: 1000 });
    expect(throttle.take('ip', 0)).toEqual({ ok: true });
    expect(throttle.take('ip', 10)).toEqual({ ok: true });
    expect(throttle.take('ip', 400)).toEqual({ ok: false, retryAfterMs: 600 });
    expect(throttle.take('other', 400)).toEqual({ ok: true });
    expect(throttle.take('ip', 1000)).toEqual({ ok: true });
  });

  it('keeps at most maxKeys keys', () => {
    const throttle = createThrottle({ limit: 1, windowMs: 1000, maxKeys: 2 });
    throttle.take('a', 0);
    throttle.take('b', 0);
    throttle.take('c', 0);
    // 'a' was the oldest and got forgotten: it may try again.
    expect(throttle.take('a', 1)).toEqual({ ok: true });
    expect(throttle.take('c', 1)).toMatchObject({ ok: false });
  });
});
