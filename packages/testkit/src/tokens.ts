import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';

/** The HS256 secret every suite's servers are started with and its tokens are signed with. */
export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-signing';

export interface TokenOptions {
  sub?: string;
  email?: string;
  displayName?: string;
  /** Seconds from now; negative for an expired token. Default 3600. */
  expiresIn?: number;
  /** Absolute exp (seconds since the epoch), overrides expiresIn. */
  exp?: number;
  aud?: string;
  role?: string;
  /** Default TEST_JWT_SECRET. */
  secret?: string;
  extraClaims?: Record<string, unknown>;
}

/** A token shaped as Supabase Auth issues them, signed HS256 (with the test secret unless told). */
export async function signTestToken(options: TokenOptions = {}): Promise<string> {
  const sub = options.sub ?? randomUUID();
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    aud: options.aud ?? 'authenticated',
    role: options.role ?? 'authenticated',
    email: options.email ?? `${sub.slice(0, 8)}@example.test`,
    phone: '',
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: options.displayName === undefined ? {} : { display_name: options.displayName },
    session_id: randomUUID(),
    is_anonymous: false,
    ...options.extraClaims,
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(options.exp ?? now + (options.expiresIn ?? 3600))
    .sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}
