import { randomUUID } from 'node:crypto';
import { signTestToken } from '@chat/testkit';

export interface BenchUser {
  id: string;
  email: string;
  displayName: string;
  token: string;
}

/** Lifetime of minted tokens: longer than any run, so no session expires mid-bench. */
const TOKEN_TTL_SEC = 2 * 3600;

/**
 * Mints Supabase-shaped access tokens (HS256 with the server's JWT_SECRET), as a
 * Supabase project would: the server creates each user on first use.
 */
export async function mintUsers(secret: string, count: number, prefix = 'bench'): Promise<BenchUser[]> {
  const exp = Math.floor(Date.now() / 1000) + TOKEN_TTL_SEC;
  const users: BenchUser[] = [];
  for (let index = 0; index < count; index++) {
    const id = randomUUID();
    const email = `${prefix}-${index}-${id.slice(0, 8)}@bench.invalid`;
    const displayName = `${prefix} ${index}`;
    const token = await signTestToken({ sub: id, email, displayName, exp, secret });
    users.push({ id, email, displayName, token });
  }
  return users;
}
