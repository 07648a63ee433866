import type { ClientFrameOf } from '@chat/protocol';
import type { Connection } from '../connection';
import type { ServerContext } from '../../context';
import { takeFrameToken } from '../frame-rate-limits';
import { requireMember, requireUser } from './membership';

export async function handleTyping(
  ctx: ServerContext,
  connection: Connection,
  frame: ClientFrameOf<'typing'>,
): Promise<void> {
  const userId = requireUser(connection);
  takeFrameToken(ctx, connection, userId, 'typing');
  await requireMember(ctx, connection, frame.conversation_id);
  ctx.typing.set(frame.conversation_id, userId, connection.id, frame.is_typing);
  connection.ack(frame.ref);
}
