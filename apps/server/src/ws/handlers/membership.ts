import type { ServerContext } from '../../context';
import { ChatError } from '../../domain/chat-error';
import { checkMembership } from '../../domain/membership-rules';
import type { Connection } from '../connection';

/**
 * Members only: `not_found` for a conversation that does not exist, `forbidden`
 * for a non-member. A positive answer is kept on the connection, but for a join,
 * whose joined set then says so.
 */
export async function requireMember(
  ctx: ServerContext,
  connection: Connection,
  conversationId: string,
  /** A join: its joined set keeps the answer. */
  joining = false,
): Promise<void> {
  if (connection.isKnownMember(conversationId)) return;
  const userId = requireUser(connection);
  const refusal = checkMembership(await ctx.storage.membership(conversationId, userId));
  if (refusal) throw ChatError.from(refusal);
  if (!joining) connection.rememberMember(conversationId);
}

export function requireUser(connection: Connection): string {
  const userId = connection.userId;
  if (userId === null) throw new ChatError('unauthorized', 'authenticate first');
  return userId;
}
