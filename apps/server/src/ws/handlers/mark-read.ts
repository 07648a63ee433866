import type { ClientFrameOf } from '@chat/protocol';
import { conversationTopic } from '../../broker/broker';
import { ChatError } from '../../errors';
import type { Connection } from '../connection';
import type { ServerContext } from '../context';
import { requireUser } from './membership';

/** read_seq only grows; a change goes to every joined connection, the reader's own included. */
export async function handleMarkRead(
  ctx: ServerContext,
  connection: Connection,
  frame: ClientFrameOf<'mark_read'>,
): Promise<void> {
  const userId = requireUser(connection);
  const outcome = await ctx.storage.markRead({
    conversation_id: frame.conversation_id,
    user_id: userId,
    seq: frame.seq,
  });
  if (outcome.status === 'rejected') throw new ChatError(outcome.code, outcome.message);
  if (outcome.status === 'changed') {
    await ctx.broker.publish(conversationTopic(frame.conversation_id), {
      kind: 'all',
      type: 'read',
      frame: JSON.stringify({
        type: 'read',
        conversation_id: frame.conversation_id,
        user_id: userId,
        seq: outcome.read_seq,
      }),
    });
  }
  connection.ack(frame.ref);
}
