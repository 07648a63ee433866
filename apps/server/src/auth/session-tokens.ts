import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { AuthUser, Storage } from '../storage/storage';

/**
 * The embedded auth's sessions: what Supabase Auth (GoTrue) hands out.
 *
 * - The access token is an HS256 JWT signed with the server's JWT secret, carrying
 *   the claims GoTrue puts in its tokens, so the token verifier (and any code
 *   written for Supabase) reads it unchanged.
 * - The refresh token is 32 random bytes (base64url). Only its sha256 is stored;
 *   each use rotates it (the old one is revoked in the same transaction), so a
 *   refresh token works once.
 */
export interface SessionTokensOptions {
  storage: Pick<Storage, 'createAuthSession' | 'rotateRefreshToken' | 'getAuthUser'>;
  jwtSecret: string;
  /** Access token lifetime in seconds. Default 3600, as Supabase. */
  accessTokenTtlSec?: number;
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

export interface SessionTokens {
  /** A new session for a user who just proved who they are. */
  start(user: AuthUser, issuer: string): Promise<IssuedSession>;
  /** Rotates `refreshToken`; null when it is unknown, already used or revoked. */
  refresh(refreshToken: string, issuer: string): Promise<IssuedSession | null>;
}

export const DEFAULT_ACCESS_TOKEN_TTL_SEC = 3600;
const REFRESH_TOKEN_BYTES = 32;

export function createSessionTokens(options: SessionTokensOptions): SessionTokens {
  const { storage } = options;
  const secret = new TextEncoder().encode(options.jwtSecret);
  const ttlSec = options.accessTokenTtlSec ?? DEFAULT_ACCESS_TOKEN_TTL_SEC;

  async function issue(user: AuthUser, sessionId: string, refreshToken: string, issuer: string) {
    const now = new Date();
    const iat = Math.floor(now.getTime() / 1000);
    const expiresAt = iat + ttlSec;
    const accessToken = await signAccessToken(secret, { user, sessionId, issuer, iat, exp: expiresAt });
    return {
      access_token: accessToken,
      refresh_token: refreshToken,
      expires_in: ttlSec,
      expires_at: expiresAt,
      session_id: sessionId,
      user,
      issued_at: now,
    };
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
      const newToken = generateRefreshToken();
      const rotated = await storage.rotateRefreshToken(
        hashRefreshToken(oldToken),
        hashRefreshToken(newToken),
      );
      if (!rotated) return null;
      const user = await storage.getAuthUser(rotated.user_id);
      if (!user) return null;
      return issue(user, rotated.session_id, newToken, issuer);
    },
  };
}

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
