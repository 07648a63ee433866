import { ChatError } from '../../errors';
import type { Connection } from '../connection';
import type { ServerContext } from '../context';

/** Members only: `not_found` for a conversation that does not exist, `forbidden` for a non-member. */
export async function requireMember(
  ctx: ServerContext,
  connection: Connection,
  conversationId: string,
): Promise<void> {
  if (connection.memberOf.has(conversationId)) return;
  const userId = requireUser(connection);
  const membership = await ctx.storage.membership(conversationId, userId);
  if (membership === 'no_conversation') throw new ChatError('not_found', 'conversation not found');
  if (membership === 'not_member') throw new ChatError('forbidden', 'not a member of this conversation');
  // Membership is fixed at creation, so a positive answer can be kept.
  connection.memberOf.add(conversationId);
}

export function requireUser(connection: Connection): string {
  const userId = connection.userId;
  if (userId === null) throw new ChatError('unauthorized', 'authenticate first');
  return userId;
}
