import type { ClientFrameOf } from '@chat/protocol';
import type { ServerContext } from '../../context';
import type { Connection } from '../connection';
import { takeFrameToken } from '../frame-rate-limits';
import { endOwnedOnClose } from './connection-cleanup';
import { requireMember, requireUser } from './membership';

/** Section 14: a member says what it is doing; relayed to the others, back to idle by itself. */
export async function handleAgentStatus(
  ctx: ServerContext,
  connection: Connection,
  frame: ClientFrameOf<'agent_status'>,
): Promise<void> {
  const userId = requireUser(connection);
  takeFrameToken(ctx, connection, userId, 'agent_status');
  await requireMember(ctx, connection, frame.conversation_id);
  endOwnedOnClose(ctx, connection);
  ctx.agentStatus.set(frame.conversation_id, userId, connection.id, frame.status, frame.detail ?? null);
  connection.ack(frame.ref);
}
