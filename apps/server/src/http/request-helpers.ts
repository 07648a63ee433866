import { Id, type User } from '@chat/protocol';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { ChatError, badRequest, unauthorized } from '../domain/chat-error';
import { checkMembership } from '../domain/membership-rules';
import type { Storage } from '../storage/storage';

declare module 'fastify' {
  interface FastifyRequest {
    user: User | null;
  }
}

/** Validates with a protocol schema; the first problem becomes a 400 naming the field. */
export function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  throw badRequest(`invalid ${what}: ${where}${issue?.message ?? 'invalid'}`);
}

export const parseId = (value: unknown, what: string): string => parse(Id, value, what);

/** The signed-in user of a route under /api (its auth hook ran). */
export function currentUser(request: FastifyRequest): User {
  if (!request.user) throw unauthorized('sign in first');
  return request.user;
}

/** 404 for a conversation that does not exist, 403 for one the user is not a member of. */
export async function requireMembership(
  storage: Storage,
  conversationId: string,
  userId: string,
): Promise<void> {
  const refusal = checkMembership(await storage.membership(conversationId, userId));
  if (refusal) throw ChatError.from(refusal);
}
