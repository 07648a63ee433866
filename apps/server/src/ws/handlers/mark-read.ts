import type { ClientFrameOf } from '@chat/protocol';
import type { ServerContext } from '../../context';
import { ChatError } from '../../domain/chat-error';
import type { Connection } from '../connection';
import { takeFrameToken } from '../frame-rate-limits';
import { requireUser } from './membership';

/** read_seq only grows; a change goes to every joined connection, the reader's own included. */
export async function handleMarkRead(
  ctx: ServerContext,
  connection: Connection,
  frame: ClientFrameOf<'mark_read'>,
): Promise<void> {
  const userId = requireUser(connection);
  takeFrameToken(ctx, connection, userId, 'mark_read');
  const outcome = await ctx.storage.markRead({
    conversation_id: frame.conversation_id,
    user_id: userId,
    seq: frame.seq,
  });
  if (outcome.status === 'rejected') throw ChatError.from(outcome);
  if (outcome.status === 'changed') await ctx.publisher.read(frame.conversation_id, userId, outcome.read_seq);
  connection.ack(frame.ref);
}
