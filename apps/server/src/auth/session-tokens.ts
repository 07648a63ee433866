import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { AuthUser, Storage } from '../storage/storage';

/**
 * The embedded auth's sessions: what Supabase Auth (GoTrue) hands out.
 *
 * - The access token is an HS256 JWT signed with the server's JWT secret, carrying
 *   the claims GoTrue puts in its tokens, so the token verifier (and any code
 *   written for Supabase) reads it unchanged.
 * - The refresh token is 32 random bytes (base64url) at sign-in; only its sha256 is
 *   stored. Each use rotates it: the next one is an HMAC of the one used (keyed by
 *   the JWT secret), so the server can find a token's successor from the token
 *   alone without storing any token in the clear.
 * - Reuse, as GoTrue: a token used again within REUSE_GRACE_MS of its rotation
 *   (two tabs refreshing at once) gets the session's current refresh token; later,
 *   the reuse means the token leaked, and the whole session is revoked.
 */
export interface SessionTokensOptions {
  storage: Pick<
    Storage,
    'createAuthSession' | 'rotateRefreshToken' | 'findRefreshToken' | 'revokeAuthSession' | 'getAuthUser'
  >;
  jwtSecret: string;
  /** Access token lifetime in seconds. Default 3600, as Supabase. */
  accessTokenTtlSec?: number;
  /** Ms since the epoch. Default: the wall clock. */
  now?: () => number;
}

/** A freshly issued session, before it is shaped into GoTrue's response. */
export interface IssuedSession {
  access_token: string;
  refresh_token: string;
  /** Seconds. */
  expires_in: number;
  /** Unix seconds. */
  expires_at: number;
  session_id: string;
  user: AuthUser;
  /** When the session was issued (sign-in, sign-up or refresh). */
  issued_at: Date;
}

export type RefreshOutcome =
  | { status: 'issued'; session: IssuedSession }
  /** Unknown, or its session is over. */
  | { status: 'not_found' }
  /** Used again after the grace: the session it belonged to is now revoked. */
  | { status: 'reused'; session_id: string; user_id: string };

export interface SessionTokens {
  /** A new session for a user who just proved who they are. */
  start(user: AuthUser, issuer: string): Promise<IssuedSession>;
  refresh(refreshToken: string, issuer: string): Promise<RefreshOutcome>;
}

export const DEFAULT_ACCESS_TOKEN_TTL_SEC = 3600;
/** GoTrue's GOTRUE_SECURITY_REFRESH_TOKEN_REUSE_INTERVAL default. */
export const REUSE_GRACE_MS = 10_000;
const REFRESH_TOKEN_BYTES = 32;
/** Rotations followed from a reused token to the live one; more than a grace period can hold. */
const MAX_CHAIN = 32;

export function createSessionTokens(options: SessionTokensOptions): SessionTokens {
  const { storage } = options;
  const now = options.now ?? Date.now;
  const secret = new TextEncoder().encode(options.jwtSecret);
  const ttlSec = options.accessTokenTtlSec ?? DEFAULT_ACCESS_TOKEN_TTL_SEC;
  const successorOf = (token: string) =>
    createHmac('sha256', options.jwtSecret).update(`refresh-token-successor:${token}`).digest('base64url');

  async function issue(user: AuthUser, sessionId: string, refreshToken: string, issuer: string) {
    const issuedAt = new Date(now());
    const iat = Math.floor(issuedAt.getTime() / 1000);
    const expiresAt = iat + ttlSec;
    const accessToken = await signAccessToken(secret, { user, sessionId, issuer, iat, exp: expiresAt });
    return {
      access_token: accessToken,
      refresh_token: refreshToken,
      expires_in: ttlSec,
      expires_at: expiresAt,
      session_id: sessionId,
      user,
      issued_at: issuedAt,
    };
  }

  async function issueFor(userId: string, sessionId: string, token: string, issuer: string) {
    const user = await storage.getAuthUser(userId);
    return user
      ? ({ status: 'issued', session: await issue(user, sessionId, token, issuer) } as const)
      : null;
  }

  /** The live token a reused one within the grace leads to, by following successors. */
  async function liveDescendant(token: string): Promise<string | null> {
    let current = successorOf(token);
    for (let step = 0; step < MAX_CHAIN; step++) {
      const stored = await storage.findRefreshToken(hashRefreshToken(current));
      if (!stored || stored.session_revoked) return null;
      if (stored.revoked_at === null) return current;
      current = successorOf(current);
    }
    return null;
  }

  return {
    async start(user, issuer) {
      const sessionId = randomUUID();
      const refreshToken = generateRefreshToken();
      await storage.createAuthSession({
        id: sessionId,
        user_id: user.id,
        refresh_token_hash: hashRefreshToken(refreshToken),
      });
      return issue(user, sessionId, refreshToken, issuer);
    },

    async refresh(oldToken, issuer) {
      const next = successorOf(oldToken);
      const at = new Date(now());
      const rotated = await storage.rotateRefreshToken(
        hashRefreshToken(oldToken),
        hashRefreshToken(next),
        at,
      );
      if (rotated) return (await issueFor(rotated.user_id, rotated.session_id, next, issuer)) ?? NOT_FOUND;

      const stored = await storage.findRefreshToken(hashRefreshToken(oldToken));
      if (!stored || stored.session_revoked || stored.revoked_at === null) return NOT_FOUND;
      if (at.getTime() - Date.parse(stored.revoked_at) <= REUSE_GRACE_MS) {
        const live = await liveDescendant(oldToken);
        if (!live) return NOT_FOUND;
        return (await issueFor(stored.user_id, stored.session_id, live, issuer)) ?? NOT_FOUND;
      }
      await storage.revokeAuthSession(stored.session_id);
      return { status: 'reused', session_id: stored.session_id, user_id: stored.user_id };
    },
  };
}

const NOT_FOUND = { status: 'not_found' } as const;

export function generateRefreshToken(): string {
  return randomBytes(REFRESH_TOKEN_BYTES).toString('base64url');
}

/** What storage keeps instead of the refresh token (hex sha256): a leaked table grants no session. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Signs an access token with GoTrue's claims (see the file comment). */
export function signAccessToken(
  secret: Uint8Array,
  input: { user: AuthUser; sessionId: string; issuer: string; iat: number; exp: number },
): Promise<string> {
  const { user, sessionId, issuer, iat, exp } = input;
  return new SignJWT({
    email: user.email,
    phone: '',
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: user.user_metadata,
    role: 'authenticated',
    aal: 'aal1',
    // The method and time of the authentication; a refresh re-stamps it, as no sign-in time is stored.
    amr: [{ method: 'password', timestamp: iat }],
    session_id: sessionId,
    is_anonymous: false,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(issuer)
    .setSubject(user.id)
    .setAudience('authenticated')
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(secret);
}
