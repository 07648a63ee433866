import type { ServerContext } from '../../context';
import { ChatError } from '../../domain/chat-error';
import { checkMembership } from '../../domain/membership-rules';
import type { Connection } from '../connection';

/** Members only: `not_found` for a conversation that does not exist, `forbidden` for a non-member. */
export async function requireMember(
  ctx: ServerContext,
  connection: Connection,
  conversationId: string,
): Promise<void> {
  if (connection.memberOf.has(conversationId)) return;
  const userId = requireUser(connection);
  const refusal = checkMembership(await ctx.storage.membership(conversationId, userId));
  if (refusal) throw ChatError.from(refusal);
  // Membership is fixed at creation, so a positive answer can be kept.
  connection.memberOf.add(conversationId);
}

export function requireUser(connection: Connection): string {
  const userId = connection.userId;
  if (userId === null) throw new ChatError('unauthorized', 'authenticate first');
  return userId;
}
