import type { FastifyRequest } from 'fastify';
import type { User } from '@chat/protocol';
import type { Storage } from '../storage/storage';
import { agentOfKey, isAgentKey } from './agent-keys';
import type { KnownUsers } from './known-users';
import type { TokenVerifier } from './token-verifier';

export type RequestAuthResult = { ok: true; user: User } | { ok: false; message: string };

/**
 * Who sent a REST request: reads `Authorization: Bearer <access token>`, verifies
 * the token, and makes sure the user exists (a valid token for an unseen user
 * creates it: a Supabase project's users appear on first use, docs/protocol.md section 2);
 * with `known`, a user seen lately is not looked up again (known-users.ts).
 * An agent's API key (`Bearer chat_ak_...`, section 14) names its agent while it is the current key.
 *
 * Never throws for a bad token; a storage failure propagates (a 500, not a 401).
 */
export async function authenticateRequest(
  request: Pick<FastifyRequest, 'headers'>,
  verifier: TokenVerifier,
  storage: Pick<Storage, 'ensureUser' | 'agentUserByKeyHash'>,
  known?: KnownUsers,
): Promise<RequestAuthResult> {
  const token = bearerToken(request.headers.authorization);
  if (!token) return { ok: false, message: 'missing bearer token' };
  if (isAgentKey(token)) {
    const agent = await agentOfKey(storage, token);
    return agent ? { ok: true, user: agent } : { ok: false, message: 'unknown or replaced api key' };
  }
  const result = await verifier.verify(token);
  if (!result.ok) return { ok: false, message: result.reason };
  const seen = known?.get(result.user.id);
  if (seen) return { ok: true, user: seen };
  const user = await storage.ensureUser(result.user);
  known?.remember(user);
  return { ok: true, user };
}

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), else null. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return match?.[1] ?? null;
}
