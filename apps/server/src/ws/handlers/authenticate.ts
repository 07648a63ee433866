import { CloseCode, type ClientFrameOf, type User } from '@chat/protocol';
import { agentOfKey, hashAgentKey } from '../../auth/agent-keys';
import type { ServerContext } from '../../context';
import { authenticatedFrame } from '../../realtime/frames';
import type { Connection } from '../connection';

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
  connection.setTokenExpiry(credential.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY);
  if (first) {
    connection.clearAuthTimer();
    ctx.metrics.connections.dec({ state: 'unauthenticated' });
    ctx.metrics.connections.inc({ state: 'authenticated' });
    await ctx.userChannels.add(connection, user.id);
    // Once closing, the gateway's cleanup has run or will not see this: nothing to undo then.
    if (!connection.isClosing) await ctx.notifications.connectionOpened(connection.id, user.id);
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
