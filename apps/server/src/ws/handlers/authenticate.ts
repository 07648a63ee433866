import { CloseCode, type ClientFrameOf } from '@chat/protocol';
import type { ServerContext } from '../../context';
import { authenticatedFrame } from '../../realtime/frames';
import type { Connection } from '../connection';

/** setTimeout's ceiling; a longer token is re-armed when this fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Closing a little after exp keeps "never before" true despite timer rounding. */
const EXPIRY_MARGIN_MS = 50;

/**
 * First authentication, or a refresh of the same user's session. A token for
 * another user is refused with `forbidden` and the connection stays as it was.
 */
export async function handleAuthenticate(
  ctx: ServerContext,
  connection: Connection,
  frame: ClientFrameOf<'authenticate'>,
): Promise<void> {
  const result = await ctx.verifier.verify(frame.token ?? ''); // api_key: issue 10 (agents), next
  if (!connection.isOpen) return;
  if (!result.ok) {
    connection.sendError({ code: 'unauthorized', message: result.reason }, { ref: frame.ref });
    connection.close(CloseCode.Unauthorized, 'unauthorized');
    return;
  }
  if (connection.user && connection.user.id !== result.user.id) {
    connection.sendError(
      { code: 'forbidden', message: 'the token is for another user; the session goes on as before' },
      { ref: frame.ref },
    );
    return;
  }
  const first = connection.user === null;
  if (first && ctx.userChannels.connectionCount(result.user.id) >= ctx.config.maxConnectionsPerUser) {
    // One account's sockets are bounded, so a leaked token cannot take the process's slots.
    connection.sendError(
      { code: 'rate_limited', message: 'too many connections for this user' },
      { ref: frame.ref },
    );
    connection.close(CloseCode.Flooding, 'too many connections');
    return;
  }
  const user = connection.user ?? (await ctx.storage.ensureUser(result.user));
  connection.user = user;
  connection.tokenExpiresAt = result.expiresAt.getTime();
  connection.sessionId = result.claims.session_id ?? null;
  armExpiry(ctx, connection);
  if (first) {
    connection.clearAuthTimer();
    ctx.metrics.connections.dec({ state: 'unauthenticated' });
    ctx.metrics.connections.inc({ state: 'authenticated' });
    await ctx.userChannels.add(connection, user.id);
    await ctx.notifications.connectionOpened(connection.id, user.id);
    connection.onClose(() => void ctx.notifications.connectionClosed(connection.id));
  }
  connection.send(authenticatedFrame(frame.ref, user, result.expiresAt));
}

/** Closes the connection with 4001 once its latest token expires, unless refreshed before. */
function armExpiry({ clock }: ServerContext, connection: Connection): void {
  const fire = () => {
    const remaining = connection.tokenExpiresAt - clock.now();
    if (remaining > 0) {
      connection.setExpiryTimer(clock.setTimeout(fire, Math.min(remaining + EXPIRY_MARGIN_MS, MAX_TIMER_MS)));
      return;
    }
    connection.sendError({ code: 'unauthorized', message: 'token expired' });
    connection.close(CloseCode.Unauthorized, 'token expired');
  };
  const delay = connection.tokenExpiresAt - clock.now() + EXPIRY_MARGIN_MS;
  connection.setExpiryTimer(clock.setTimeout(fire, Math.min(Math.max(delay, 0), MAX_TIMER_MS)));
}
