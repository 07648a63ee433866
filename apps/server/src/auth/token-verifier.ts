import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import type { NewUser } from '../storage/storage';
import { displayNameOf } from './display-name';
import { hs256Key, verifyHs256 } from './hs256';

/**
 * Verifies Supabase Auth access tokens (docs/protocol.md section 2), for the WebSocket
 * `authenticate` frame and REST alike.
 *
 * - `HS256` tokens are checked against the shared JWT secret (a Supabase project's
 *   legacy secret, or the embedded auth's own), with node:crypto (hs256.ts: jose's
 *   WebCrypto path cost a connect storm ~100 µs per token).
 * - `ES256` / `RS256` tokens are checked against the project's JWKS, fetched and
 *   cached by jose (refetched at most once per cooldown when an unknown `kid` shows up).
 * - Any other `alg` (`none` included) is refused before any key is looked at, and
 *   each path allows only its own algorithms, so a token cannot pick its key type.
 *
 * - `nbf` is honoured; `iat` more than `maxClockSkewSec` in the future is refused, and
 *   so is a token meant to live longer than `maxLifetimeSec` (`exp` − `iat`, or
 *   `exp` − now without `iat`): a leaked long-lived token would outlive any sign-out.
 *
 * `verify` never throws: every failure is `{ok: false, reason}` with short human text
 * (and a `code` when the edge answers it differently).
 */
export interface TokenVerifier {
  verify(token: string): Promise<VerifyResult>;
}

export type VerifyResult =
  | { ok: true; claims: AccessClaims; user: NewUser; expiresAt: Date }
  | { ok: false; reason: string; code?: VerifyFailureCode };

/** `session_not_found`: a well-signed token of a session that signed out (GoTrue's 403 on /user). */
export type VerifyFailureCode = 'session_not_found';

export interface TokenVerifierOptions {
  /** The HS256 secret. Without it, HS256 tokens are refused. */
  jwtSecret?: string;
  /** A Supabase project URL; the JWKS defaults to `${supabaseUrl}/auth/v1/.well-known/jwks.json`. */
  supabaseUrl?: string;
  /** Overrides the JWKS address. Without it and without `supabaseUrl`, ES256/RS256 tokens are refused. */
  jwksUrl?: string;
  /** Minimum time between two JWKS fetches (an unknown `kid` triggers one). Default 30 s. */
  jwksCooldownMs?: number;
  /** How long fetched keys are trusted before a refetch. Default 10 min. */
  jwksCacheMaxAgeMs?: number;
  /** JWKS fetch timeout. Default 5 s. */
  jwksTimeoutMs?: number;
  /** `exp` and `nbf` are judged at this time, in ms since the epoch. Default: the wall clock. */
  now?: () => number;
  /** How far in the future `iat` may be (clocks of other issuers drift). Default 60 s. */
  maxClockSkewSec?: number;
  /** The longest lifetime a token may claim. Default one week, Supabase's maximum JWT expiry. */
  maxLifetimeSec?: number;
}

export const DEFAULT_MAX_CLOCK_SKEW_SEC = 60;
export const DEFAULT_MAX_TOKEN_LIFETIME_SEC = 7 * 24 * 3600;

/** Tokens longer than this are refused unread: no Supabase token comes near it. */
export const MAX_TOKEN_LENGTH = 16 * 1024;

const AUDIENCE = 'authenticated';
const ASYMMETRIC_ALGS = ['ES256', 'RS256'];

/** The claims this server relies on; others pass through untouched. */
const AccessClaims = z.looseObject({
  sub: z.uuid({ error: 'sub is not a UUID' }),
  role: z.literal('authenticated', { error: 'role is not authenticated' }),
  exp: z.number({ error: 'exp is missing' }),
  iat: z.number().optional(),
  aud: z.union([z.string(), z.array(z.string())]),
  email: z.string().optional(),
  phone: z.string().optional(),
  session_id: z.string().optional(),
  is_anonymous: z.boolean().optional(),
  user_metadata: z.record(z.string(), z.unknown()).optional(),
  app_metadata: z.record(z.string(), z.unknown()).optional(),
});
export type AccessClaims = z.infer<typeof AccessClaims>;

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const now = options.now ?? Date.now;
  const maxClockSkewSec = options.maxClockSkewSec ?? DEFAULT_MAX_CLOCK_SKEW_SEC;
  const maxLifetimeSec = options.maxLifetimeSec ?? DEFAULT_MAX_TOKEN_LIFETIME_SEC;
  const secret = options.jwtSecret ? hs256Key(options.jwtSecret) : null;
  const jwksUrl =
    options.jwksUrl ??
    (options.supabaseUrl
      ? `${options.supabaseUrl.replace(/\/+$/, '')}/auth/v1/.well-known/jwks.json`
      : undefined);
  const jwks: JWTVerifyGetKey | null = jwksUrl
    ? createRemoteJWKSet(new URL(jwksUrl), {
        cooldownDuration: options.jwksCooldownMs ?? 30_000,
        cacheMaxAge: options.jwksCacheMaxAgeMs ?? 600_000,
        timeoutDuration: options.jwksTimeoutMs ?? 5_000,
      })
    : null;
  if (!secret && !jwks) {
    throw new Error('createTokenVerifier needs a jwtSecret, a supabaseUrl or a jwksUrl');
  }

  async function checkSignature(token: string): Promise<JWTPayload | string> {
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      return 'malformed token';
    }
    const claimRules = {
      audience: AUDIENCE,
      requiredClaims: ['exp', 'sub'],
      currentDate: new Date(now()),
    };
    if (alg === 'HS256') {
      if (!secret) return 'HS256 tokens are not accepted';
      return verifyHs256(token, secret, { audience: AUDIENCE, nowSec: now() / 1000 });
    }
    if (alg !== undefined && ASYMMETRIC_ALGS.includes(alg)) {
      if (!jwks) return `${alg} tokens are not accepted`;
      return (await jwtVerify(token, jwks, { ...claimRules, algorithms: ASYMMETRIC_ALGS })).payload;
    }
    return `algorithm ${alg ?? '(none given)'} is not accepted`;
  }

  return {
    async verify(token) {
      if (typeof token !== 'string' || token === '') return { ok: false, reason: 'missing token' };
      if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'token too long' };
      let payload: JWTPayload | string;
      try {
        payload = await checkSignature(token);
      } catch (error) {
        return { ok: false, reason: reasonOf(error) };
      }
      if (typeof payload === 'string') return { ok: false, reason: payload };

      const parsed = AccessClaims.safeParse(payload);
      if (!parsed.success) {
        return { ok: false, reason: parsed.error.issues[0]?.message ?? 'invalid claims' };
      }
      const claims = parsed.data;
      const timing = checkTiming(claims, now() / 1000, maxClockSkewSec, maxLifetimeSec);
      if (timing) return { ok: false, reason: timing };
      const email = claims.email ?? '';
      return {
        ok: true,
        claims,
        user: { id: claims.sub, email, display_name: displayNameOf(claims.user_metadata, email) },
        expiresAt: new Date(claims.exp * 1000),
      };
    },
  };
}

/** The reason a token's times are refused, or null (exp and nbf are jose's). */
function checkTiming(
  claims: AccessClaims,
  nowSec: number,
  maxClockSkewSec: number,
  maxLifetimeSec: number,
): string | null {
  if (claims.iat !== undefined && claims.iat > nowSec + maxClockSkewSec) return 'token issued in the future';
  const start = claims.iat ?? nowSec;
  if (claims.exp - start > maxLifetimeSec) return 'token lifetime too long';
  return null;
}

/** jose's error codes, as short reasons a client can show or log. */
function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'token expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const claim = (error as { claim?: string }).claim;
      if (claim === 'aud') return 'wrong audience';
      if (claim === 'nbf') return 'token not yet valid';
      return `invalid ${claim ?? 'claim'}`;
    }
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'invalid signature';
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return 'unknown signing key';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'algorithm not accepted';
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JWKS_INVALID':
      return 'signing keys unavailable';
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return 'malformed token';
    default:
      // A JWKS fetch that failed (network, HTTP status) lands here too.
      return 'token could not be verified';
  }
}
