import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseCode, MAX_FRAME_BYTES } from '@chat/protocol';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { ServerContext } from '../context';
import { Connection } from './connection';
import type { ConnectionCapacity } from './connection-capacity';
import { ConnectionCounter } from './connection-counter';
import { DeadlineQueue } from './deadline-queue';
import { FrameQueue } from './frame-queue';
import { Heartbeat } from './heartbeat';
import { releaseClearedTimeout } from './released-timeout';
import { ServerSocket } from './server-socket';
import { endMembership, leaveConversation } from './handlers/join-leave';
import { upgradeOriginAllowed } from './upgrade-origin';

/** How long shutdown waits for close handshakes, on real time: it guards the machine, not the protocol. */
const SHUTDOWN_CLOSE_WAIT_MS = 3000;
/** What a full server's 503 asks a client to wait (its reconnect backoff adds jitter). */
const CAPACITY_RETRY_AFTER_SEC = 10;

export interface Gateway {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /**
   * Stops accepting, answers the sends in flight, closes every socket with 1001
   * and waits until every connection's presence and typing have ended and been
   * announced to the other processes.
   */
  shutdown(): Promise<void>;
  /** The embedded auth sessions of the open sockets (for the sign-out sweep). */
  sessionIds(): string[];
  /** Closes every socket of these signed-out sessions with 4001. */
  closeSessions(sessionIds: readonly string[]): void;
  /** Section 14: the API key hashes of the open agent sockets (for the key sweep). */
  agentKeyHashes(): string[];
  /** Closes every socket signed in with one of these replaced or deleted keys with 4001. */
  closeAgentKeys(keyHashes: readonly string[]): void;
}

/**
 * The WebSocket endpoint: accepts sockets on /ws, gives each a Connection,
 * feeds its frames one at a time to the dispatcher (so a connection's frames
 * are handled in the order sent), keeps the heartbeat and cleans up on close.
 */
export function createGateway(ctx: ServerContext, capacity: ConnectionCapacity): Gateway {
  const { config, metrics, log, clock } = ctx;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
    WebSocket: ServerSocket,
    // Answered by onPing below: ws's own answer keeps a closure per socket (~100 bytes each).
    autoPong: false,
  });
  const connections = new Set<Connection>();
  const perAddress = new ConnectionCounter(config.maxConnectionsPerAddress);
  /** Cleanups after close still running: shutdown waits for them before the broker and presence close. */
  const cleanups = new Set<Promise<void>>();
  let accepting = true;

  const heartbeat = new Heartbeat(clock, config.heartbeatIntervalMs);
  const tokenExpiries = new DeadlineQueue<Connection>(clock, (expired) => expired.tokenExpired());
  /** Each socket's frame queue, which knows its connection: the listeners below are shared by all sockets. */
  const queues = new WeakMap<WebSocket, FrameQueue>();

  // One for every connection: a copy each would cost every idle socket an object and a closure.
  const connectionDeps = {
    limits: config,
    metrics,
    clock,
    tokenExpiries,
    onMembershipEnded: (ended: Connection, conversationId: string) =>
      endMembership(ctx, ended, conversationId),
  };

  // The socket's listeners are these functions, called with the socket as `this`:
  // listeners made per socket (closures over its connection) cost every idle one ~200 bytes.
  function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
    const frames = queues.get(this);
    if (!frames) return;
    const { connection } = frames;
    connection.isAlive = true;
    if (!accepting) return; // the socket closes with 1001 in a moment; the client resends unacked sends
    if (isBinary) {
      metrics.framesIn.count('binary');
      connection.sendError({
        code: 'bad_request',
        message: 'binary frames are not accepted; send JSON text',
      });
      return;
    }
    frames.push(rawToString(data));
  }

  function onPong(this: WebSocket): void {
    const frames = queues.get(this);
    if (frames) frames.connection.isAlive = true;
  }

  /** RFC 6455 5.5.2: a ping is answered with its data; a peer that pings without reading is cut off, as ws does. */
  function onPing(this: WebSocket, data: Buffer): void {
    const frames = queues.get(this);
    if (!frames) return;
    frames.connection.isAlive = true;
    if (this.readyState !== this.OPEN) return;
    if (this.bufferedAmount > config.maxBufferedBytes) this.terminate();
    else this.pong(data);
  }

  function onError(this: WebSocket, error: Error): void {
    // ws has already closed the socket (e.g. 1009 for an oversize frame).
    log.debug({ err: error, connectionId: queues.get(this)?.connection.id }, 'socket error');
  }

  function onClose(this: WebSocket): void {
    const frames = queues.get(this);
    if (!frames) return;
    queues.delete(this);
    const { connection } = frames;
    connection.socketClosed();
    perAddress.release(connection.address);
    capacity.release();
    connections.delete(connection);
    heartbeat.delete(connection);
    metrics.connections.dec({ state: connection.user ? 'authenticated' : 'unauthenticated' });
    const cleanup = cleanUp(connection);
    cleanups.add(cleanup);
    void cleanup.finally(() => cleanups.delete(cleanup));
  }

  function accept(socket: WebSocket, address: string): void {
    const connection = new Connection(socket, address, connectionDeps);
    connections.add(connection);
    heartbeat.add(connection);
    metrics.connections.inc({ state: 'unauthenticated' });
    connection.setAuthTimer(
      clock.setTimeout(() => {
        if (connection.user === null) connection.close(CloseCode.AuthTimeout, 'authentication timeout');
      }, config.authTimeoutMs),
    );
    queues.set(socket, new FrameQueue(ctx, connection));
    // In the order of ServerSocket's table of listeners.
    socket.on('message', onMessage);
    socket.on('ping', onPing);
    socket.on('pong', onPong);
    socket.on('error', onError);
    socket.on('close', onClose);
  }

  async function cleanUp(connection: Connection): Promise<void> {
    try {
      // Its page is out of view from now on: the user's pushes must not wait for the leaves.
      const hidden = connection.userId === null ? null : ctx.notifications.connectionClosed(connection.id);
      for (const conversationId of connection.joinedIds()) {
        await leaveConversation(ctx, connection, conversationId);
      }
      ctx.typing.endConnection(connection.id);
      if (connection.userId !== null) ctx.userChannels.remove(connection, connection.userId);
      await hidden;
    } catch (error) {
      log.error({ err: error, connectionId: connection.id }, 'cleanup after close failed');
    }
  }

  return {
    handleUpgrade(request, socket, head) {
      const path = (request.url ?? '').split('?')[0];
      if (!accepting || path !== '/ws') {
        const status = accepting ? '404 Not Found' : '503 Service Unavailable';
        socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      if (!upgradeOriginAllowed(request, config)) {
        metrics.errors.inc({ code: 'forbidden' });
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      if (!capacity.tryTake()) {
        metrics.errors.inc({ code: 'server_full' });
        socket.end(
          `HTTP/1.1 503 Service Unavailable\r\nRetry-After: ${CAPACITY_RETRY_AFTER_SEC}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
        );
        return;
      }
      const address = request.socket.remoteAddress ?? 'unknown';
      if (!perAddress.tryTake(address)) {
        capacity.release();
        metrics.errors.inc({ code: 'rate_limited' });
        log.warn(
          { address, limit: config.maxConnectionsPerAddress },
          'connection refused: too many from one address',
        );
        socket.end('HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      let accepted = false;
      wss.handleUpgrade(request, socket, head, (webSocket) => {
        accepted = true;
        releaseClearedTimeout(socket);
        accept(webSocket, address);
      });
      // ws (without verifyClient) accepts or refuses (no key, bad version, ...) before it returns.
      if (!accepted) {
        perAddress.release(address);
        capacity.release();
      }
    },
    sessionIds() {
      const ids: string[] = [];
      for (const connection of connections) if (connection.sessionId) ids.push(connection.sessionId);
      return ids;
    },
    closeSessions(sessionIds) {
      const ended = new Set(sessionIds);
      for (const connection of connections) {
        if (connection.sessionId === null || !ended.has(connection.sessionId)) continue;
        connection.sendError({ code: 'unauthorized', message: 'session signed out' });
        connection.close(CloseCode.Unauthorized, 'session signed out');
      }
    },
    agentKeyHashes() {
      const hashes: string[] = [];
      for (const connection of connections) if (connection.apiKeyHash) hashes.push(connection.apiKeyHash);
      return hashes;
    },
    closeAgentKeys(keyHashes) {
      const revoked = new Set(keyHashes);
      for (const connection of connections) {
        if (connection.apiKeyHash === null || !revoked.has(connection.apiKeyHash)) continue;
        connection.sendError({ code: 'unauthorized', message: 'api key replaced or agent deleted' });
        connection.close(CloseCode.Unauthorized, 'api key revoked');
      }
    },
    async shutdown() {
      accepting = false;
      heartbeat.stop();
      tokenExpiries.stop();
      await ctx.sendQueue.drain();
      const closed = [...connections].map(
        (connection) =>
          new Promise<void>((resolve) => {
            connection.onClose(resolve);
            connection.close(CloseCode.GoingAway, 'server shutting down');
          }),
      );
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_CLOSE_WAIT_MS).unref());
      await Promise.race([Promise.all(closed), timeout]);
      for (const connection of connections) connection.terminate();
      // Each leave announces presence offline and typing stopped through the
      // broker: they must go out while it is still open.
      const giveUpAt = Date.now() + SHUTDOWN_CLOSE_WAIT_MS;
      const cleaned = (async () => {
        // A terminated socket reports its close a moment later.
        while (connections.size > 0 && Date.now() < giveUpAt) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        while (cleanups.size > 0) await Promise.all([...cleanups]);
      })();
      const cleanupTimeout = new Promise<void>((resolve) =>
        setTimeout(resolve, SHUTDOWN_CLOSE_WAIT_MS).unref(),
      );
      await Promise.race([cleaned, cleanupTimeout]);
      if (cleanups.size > 0) log.warn({ pending: cleanups.size }, 'shutdown: cleanups still running');
      wss.close();
    },
  };
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
