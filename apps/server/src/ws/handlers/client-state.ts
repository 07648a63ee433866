import type { ClientFrameOf } from '@chat/protocol';
import type { ServerContext } from '../../context';
import type { Connection } from '../connection';

/**
 * Section 13: whether the page is in view. No reply (an `ack` with a ref, once
 * the visibility registry knows, so a push decided after it sees it).
 */
export async function handleClientState(
  ctx: ServerContext,
  connection: Connection,
  frame: ClientFrameOf<'client_state'>,
): Promise<void> {
  await ctx.notifications.setVisible(connection.id, frame.visible);
  connection.ack(frame.ref);
}
