import { signTestToken, TEST_JWT_SECRET } from '@chat/testkit';

/** The secret the suites' servers verify with (the shared test secret). */
export const JWT_SECRET = TEST_JWT_SECRET;

/** A token shaped as Supabase Auth issues them, signed HS256 with the test secret. */
export function signToken(
  user: { id: string; email: string; displayName: string },
  expiresInSec = 3600,
  secret = JWT_SECRET,
): Promise<string> {
  return signTestToken({
    sub: user.id,
    email: user.email,
    displayName: user.displayName,
    expiresIn: expiresInSec,
    secret,
  });
}
