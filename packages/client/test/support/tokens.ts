import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';

export const JWT_SECRET = 'client-test-secret-that-is-long-enough-for-hs256';

/** A token shaped as Supabase Auth issues them, signed HS256 with the test secret. */
export async function signToken(
  user: { id: string; email: string; displayName: string },
  expiresInSec = 3600,
  secret = JWT_SECRET,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    aud: 'authenticated',
    role: 'authenticated',
    email: user.email,
    user_metadata: { display_name: user.displayName },
    session_id: randomUUID(),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user.id)
    .setIssuedAt(now)
    .setExpirationTime(now + expiresInSec)
    .sign(new TextEncoder().encode(secret));
}
