import { CloseCode, type ClientFrameOf, type User } from '@chat/protocol';
import { agentOfKey, hashAgentKey } from '../../auth/agent-keys';
import type { ServerContext } from '../../context';
import { authenticatedFrame } from '../../realtime/frames';
import type { Connection } from '../connection';

/** setTimeout's ceiling; a longer token is re-armed when this fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Closing a little after exp keeps "never before" true despite timer rounding. */
const EXPIRY_MARGIN_MS = 50;

/** Who a credential names, how to have them stored, until when it holds (null: until revoked), what revokes it. */
type Credential =
  | {
      ok: true;
      userId: string;
      user: () => Promise<User>;
      expiresAt: Date | null;
      sessionId: string | null;
      apiKeyHash: string | null;
    }
  | { ok: false; reason: string };

/**
 * First authentication, or a refresh of the same user's session. A person
 * gives an access token; an agent its API key (section 14), which does not
 * expire (`expires_at: null`) but stops when replaced or deleted. A credential
 * for another user is refused with `forbidden` and the connection stays as it was.
 */
export async function handleAuthenticate(
  ctx: ServerContext,
  connection: Connection,
  frame: ClientFrameOf<'authenticate'>,
): Promise<void> {
  const credential = await checkCredential(ctx, frame);
  if (!connection.isOpen) return;
  if (!credential.ok) {
    connection.sendError({ code: 'unauthorized', message: credential.reason }, { ref: frame.ref });
    connection.close(CloseCode.Unauthorized, 'unauthorized');
    return;
  }
  if (connection.user && connection.user.id !== credential.userId) {
    connection.sendError(
      { code: 'forbidden', message: 'the credential is for another user; the session goes on as before' },
      { ref: frame.ref },
    );
    return;
  }
  const first = connection.user === null;
  if (first && ctx.userChannels.connectionCount(credential.userId) >= ctx.config.maxConnectionsPerUser) {
    // One account's sockets are bounded, so a leaked token cannot take the process's slots.
    connection.sendError(
      { code: 'rate_limited', message: 'too many connections for this user' },
      { ref: frame.ref },
    );
    connection.close(CloseCode.Flooding, 'too many connections');
    return;
  }
  const user = connection.user ?? (await credential.user());
  connection.user = user;
  connection.sessionId = credential.sessionId;
  connection.apiKeyHash = credential.apiKeyHash;
  if (credential.expiresAt === null) {
    connection.tokenExpiresAt = Number.POSITIVE_INFINITY;
    connection.setExpiryTimer(() => {}); // a key has no expiry: no timer
  } else {
    connection.tokenExpiresAt = credential.expiresAt.getTime();
    armExpiry(ctx, connection);
  }
  if (first) {
    connection.clearAuthTimer();
    ctx.metrics.connections.dec({ state: 'unauthenticated' });
    ctx.metrics.connections.inc({ state: 'authenticated' });
    await ctx.userChannels.add(connection, user.id);
    await ctx.notifications.connectionOpened(connection.id, user.id);
    connection.onClose(() => void ctx.notifications.connectionClosed(connection.id));
  }
  connection.send(authenticatedFrame(frame.ref, user, credential.expiresAt));
}

async function checkCredential(
  ctx: ServerContext,
  frame: ClientFrameOf<'authenticate'>,
): Promise<Credential> {
  if (frame.api_key !== undefined) {
    const agent = await agentOfKey(ctx.storage, frame.api_key);
    if (!agent) return { ok: false, reason: 'unknown or replaced api key' };
    return {
      ok: true,
      userId: agent.id,
      user: async () => agent,
      expiresAt: null,
      sessionId: null,
      apiKeyHash: hashAgentKey(frame.api_key),
    };
  }
  const result = await ctx.verifier.verify(frame.token ?? '');
  if (!result.ok) return { ok: false, reason: result.reason };
  return {
    ok: true,
    userId: result.user.id,
    user: () => ctx.storage.ensureUser(result.user),
    expiresAt: result.expiresAt,
    sessionId: result.claims.session_id ?? null,
    apiKeyHash: null,
  };
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
