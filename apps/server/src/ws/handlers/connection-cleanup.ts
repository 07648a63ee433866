import type { ServerContext } from '../../context';
import type { Connection } from '../connection';

const watched = new WeakSet<Connection>();

/**
 * Section 14: what a connection owns ends with it: its streams are interrupted
 * and the agent statuses it set return to idle. Registered once per connection,
 * the first time it owns one; a connection already closed runs it at once.
 */
export function endOwnedOnClose(ctx: ServerContext, connection: Connection): void {
  if (watched.has(connection)) return;
  watched.add(connection);
  connection.onClose(() => {
    ctx.streams.endConnection(connection.id);
    ctx.agentStatus.endConnection(connection.id);
  });
}
