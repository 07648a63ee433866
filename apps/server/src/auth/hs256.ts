import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { JWTPayload } from 'jose';

/**
 * HS256 compact JWS verification with node:crypto, synchronously, with the
 * claim checks this server asks of jose (`exp` and `sub` required, `exp` and
 * `nbf` at the current second, `aud` containing the audience).
 *
 * Why not jose here: jose 6 verifies through WebCrypto, whose HMAC runs as an
 * async job on the libuv thread pool; a connect storm paid ~30 µs per token
 * alone and ~100 µs under load (issue 13, CPU profile of 6,000 connects),
 * against ~5 µs for node:crypto's HMAC in place. Asymmetric tokens still go
 * through jose (a JWKS, its cache and key rotation). A property test holds this
 * to jose's own verdicts (test/auth/hs256.test.ts).
 *
 * Returns the payload, or a short reason (the same words token-verifier.ts
 * gives jose's error codes).
 */
export function verifyHs256(
  token: string,
  key: KeyObject,
  rules: { audience: string; nowSec: number },
): JWTPayload | string {
  const parts = token.split('.');
  if (parts.length !== 3) return 'malformed token';
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodeJsonObject(headerPart);
  if (header === null) return 'malformed token';
  if (header.alg !== 'HS256') return 'algorithm not accepted';
  // jose refuses every `crit` (it is given no extensions to implement), and `b64` is only read under one.
  if (Object.hasOwn(header, 'crit')) return 'malformed token';

  const signature = decodeBase64Url(signaturePart);
  const expected = createHmac('sha256', key).update(`${headerPart}.${payloadPart}`).digest();
  if (signature === null || signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
    return 'invalid signature';
  }

  const payload = decodeJsonObject(payloadPart);
  if (payload === null) return 'malformed token';
  return claimsProblem(payload, rules) ?? payload;
}

/** The HMAC key of a shared secret, made once. */
export function hs256Key(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

/** What is wrong with the registered claims, or null: jose's checks in jose's order, with no clock tolerance. */
function claimsProblem(payload: JWTPayload, rules: { audience: string; nowSec: number }): string | null {
  const now = Math.floor(rules.nowSec);
  if (!Object.hasOwn(payload, 'aud')) return 'wrong audience';
  if (!Object.hasOwn(payload, 'sub')) return 'invalid sub';
  if (!Object.hasOwn(payload, 'exp')) return 'invalid exp';
  const { aud, iat, nbf, exp } = payload;
  if (!(aud === rules.audience || (Array.isArray(aud) && aud.includes(rules.audience))))
    return 'wrong audience';
  if (iat !== undefined && typeof iat !== 'number') return 'invalid iat';
  if (nbf !== undefined && typeof nbf !== 'number') return 'invalid nbf';
  if (nbf !== undefined && nbf > now) return 'token not yet valid';
  if (typeof exp !== 'number') return 'invalid exp';
  if (exp <= now) return 'token expired';
  return null;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;
/** Refuses bytes that are not UTF-8, as jose's decoder does. */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Strict base64url (no padding, no other characters), or null. */
function decodeBase64Url(text: string): Buffer | null {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return null;
  return Buffer.from(text, 'base64url');
}

/** A base64url segment holding a JSON object, or null. */
function decodeJsonObject(segment: string): Record<string, unknown> | null {
  const bytes = decodeBase64Url(segment);
  if (bytes === null) return null;
  try {
    const value: unknown = JSON.parse(STRICT_UTF8.decode(bytes));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null; // not UTF-8, or not JSON
  }
}
