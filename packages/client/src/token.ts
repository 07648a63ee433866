/** Reading a JWT's expiry (without verifying it: the server does that) and planning its refresh. */

/** Refresh this long before `exp` ... */
const REFRESH_MARGIN_MS = 60_000;

/** `exp` of a JWT in epoch milliseconds, or null when the token is not a readable JWT. */
export function tokenExpiry(token: string): number | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
    const json = new TextDecoder().decode(Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : null;
  } catch {
    return null;
  }
}

/**
 * How long to wait before re-sending `authenticate` with a fresh token: 60 s
 * before expiry, or at half the remaining life for tokens shorter than two
 * minutes (so short test tokens refresh too).
 */
export function refreshDelayMs(expiresAtMs: number, nowMs: number): number {
  const remaining = expiresAtMs - nowMs;
  if (remaining <= 0) return 0;
  return remaining > 2 * REFRESH_MARGIN_MS ? remaining - REFRESH_MARGIN_MS : Math.floor(remaining / 2);
}
