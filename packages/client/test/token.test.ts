import { describe, expect, test } from 'vitest';
import { refreshDelayMs, tokenExpiry } from '../src/index';
import { signToken } from './support/tokens';

const someone = { id: '00000000-0000-4000-8000-00000000000a', email: 'a@example.test', displayName: 'A' };

describe('token expiry', () => {
  test('reads exp from a JWT payload, in milliseconds', async () => {
    const before = Math.floor(Date.now() / 1000) * 1000;
    const token = await signToken(someone, 3600);
    const expiry = tokenExpiry(token)!;
    expect(expiry).toBeGreaterThanOrEqual(before + 3600_000);
    expect(expiry).toBeLessThanOrEqual(Date.now() + 3600_000 + 1000);
  });

  test('null for what is not a readable JWT', () => {
    expect(tokenExpiry('nonsense')).toBeNull();
    expect(tokenExpiry('a.%%%.c')).toBeNull();
    expect(tokenExpiry(`x.${btoa(JSON.stringify({ sub: 'no exp' }))}.y`)).toBeNull();
  });

  test('refreshes 60 s before exp, at half the remaining life for short tokens, at once when expired', () => {
    const now = 1_000_000;
    expect(refreshDelayMs(now + 3600_000, now)).toBe(3540_000);
    expect(refreshDelayMs(now + 121_000, now)).toBe(61_000);
    expect(refreshDelayMs(now + 60_000, now)).toBe(30_000);
    expect(refreshDelayMs(now + 4_000, now)).toBe(2_000);
    expect(refreshDelayMs(now - 1, now)).toBe(0);
  });
});
