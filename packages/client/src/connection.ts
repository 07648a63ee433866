import { parseServerFrame } from '@chat/protocol';
import type { ClientFrame, ServerFrame, ServerFrameOf, User } from '@chat/protocol';
import type { Clock } from './clock';
import { Emitter } from './emitter';
import { Heartbeat } from './heartbeat';
import { ReconnectingSocket } from './reconnecting-socket';
import type { Requests } from './requests';
import { refreshDelayMs, tokenExpiry } from './token';
import type { BackoffOptions, ConnectionStatus, HeartbeatOptions, TokenGetter, WebSocketLike } from './types';

export interface ConnectionConfig {
  url: string;
  getToken: TokenGetter;
  /** An agent's API key: sent as `authenticate {api_key}` instead of a token, never refreshed. */
  apiKey?: string;
  WebSocket: WebSocketLike;
  backoff: Required<BackoffOptions>;
  heartbeat: Required<HeartbeatOptions>;
  handshakeTimeoutMs: number;
  /** Shared with the client: the `authenticate` replies are routed by ref too. */
  requests: Requests;
  clock: Clock;
}

export interface ConnectionEvents {
  status: ConnectionStatus;
  /** Authenticated on a new socket: time to (re)join and resend. */
  ready: User;
  /** The token was refreshed on the open socket. */
  refreshed: User;
  /** Every valid server frame that no request was waiting for (`pong` excluded). */
  frame: ServerFrame;
  /** The socket is gone (closed, dropped or stopped): what was in flight on it is lost. */
  lost: undefined;
}

/** setTimeout's ceiling (about 24.8 days); a longer token is simply refreshed early. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** When getToken() throws during a refresh, try again after this long. */
const REFRESH_RETRY_MS = 5_000;

type Purpose = 'connect' | 'refresh';

/**
 * The authenticated session on top of a ReconnectingSocket: every new socket
 * authenticates with a fresh getToken() before it counts as open, the token is
 * re-sent before it expires, a heartbeat proves the socket alive, and server
 * frames are parsed here (the only place) and routed to the request waiting
 * for them or handed on.
 *
 * A token the server refuses right after getToken() produced it is final
 * ('closed' with a closeReason): retrying would loop. A 4001 on a session that
 * was open (the token expired) reconnects, and every connect asks getToken()
 * afresh.
 */
export class Connection {
  readonly events = new Emitter<ConnectionEvents>();
  private readonly socket: ReconnectingSocket;
  private readonly heartbeat: Heartbeat;
  private currentUser: User | null = null;
  private invalid = 0;
  private refreshTimer: unknown;

  constructor(private readonly config: ConnectionConfig) {
    this.socket = new ReconnectingSocket({
      url: config.url,
      WebSocket: config.WebSocket,
      backoff: config.backoff,
      readyTimeoutMs: config.handshakeTimeoutMs,
      clock: config.clock,
    });
    this.heartbeat = new Heartbeat({
      intervalMs: config.heartbeat.intervalMs,
      timeoutMs: config.heartbeat.timeoutMs,
      sendPing: () => this.sendFrame({ type: 'ping' }),
      onDead: () => this.socket.drop('no pong: the connection is dead'),
      clock: config.clock,
    });
    const events = this.socket.events;
    events.on('status', (status) => this.events.emit('status', status));
    events.on('open', (id) => {
      this.heartbeat.start();
      void this.authenticate(id, 'connect');
    });
    events.on('message', (data) => this.receive(data));
    events.on('check', () => this.heartbeat.ping());
    events.on('lost', () => {
      this.config.clock.clearTimeout(this.refreshTimer);
      this.heartbeat.stop();
      this.config.requests.failAll('the connection was lost before the reply');
      this.events.emit('lost', undefined);
    });
  }

  get status(): ConnectionStatus {
    return this.socket.status;
  }

  /** Who the server authenticated (kept after a disconnect, for display). */
  get user(): User | null {
    return this.currentUser;
  }

  /** Why the status is 'closed' (stopped, signed out, token refused, closed by the server). */
  get closeReason(): string | null {
    return this.socket.closeReason;
  }

  /** Why the last socket was lost (a close code, a dead heartbeat, ...), for diagnostics. */
  get lastDisconnectReason(): string | null {
    return this.socket.lastDisconnectReason;
  }

  /** Server frames dropped because they failed their schema. */
  get invalidFrames(): number {
    return this.invalid;
  }

  /** Whether frames can be sent now (open and authenticated). */
  get isOpen(): boolean {
    return this.socket.isOpen;
  }

  /** Connects, or (while running) hurries a reconnect / checks the open socket. */
  start(): void {
    this.socket.start();
  }

  /** Closes with 1000 and stays closed until the next start(). */
  stop(reason = 'stopped by the client'): void {
    this.socket.stop(reason);
  }

  /** Sends a frame on the authenticated socket; false (nothing sent) when not open. */
  send(frame: ClientFrame): boolean {
    return this.isOpen && this.sendFrame(frame);
  }

  private sendFrame(frame: ClientFrame): boolean {
    return this.socket.send(JSON.stringify(frame));
  }

  private async authenticate(socketId: number, purpose: Purpose): Promise<void> {
    const apiKey = this.config.apiKey;
    if (apiKey !== undefined) {
      this.authenticateWith(socketId, { api_key: apiKey }, null, purpose);
      return;
    }
    let token: string | null;
    try {
      token = await this.config.getToken();
    } catch (error) {
      if (socketId !== this.socket.currentId) return;
      const message = `getToken() failed: ${(error as Error).message}`;
      if (purpose === 'connect') this.socket.drop(message);
      else this.scheduleRefresh(socketId, this.config.clock.now() + 2 * REFRESH_RETRY_MS);
      return;
    }
    if (socketId !== this.socket.currentId) return;
    if (!token) {
      this.socket.stop('signed out: getToken() returned no token');
      return;
    }
    this.authenticateWith(socketId, { token }, token, purpose);
  }

  /** Sends `authenticate` with a token or an API key (`token` is null for a key: no expiry to read). */
  private authenticateWith(
    socketId: number,
    credential: { token: string } | { api_key: string },
    token: string | null,
    purpose: Purpose,
  ): void {
    const ref = this.config.requests.track({
      onReply: (frame) => {
        if (frame.type === 'authenticated' && socketId === this.socket.currentId) {
          this.authenticatedAs(socketId, token, frame, purpose);
        }
      },
      onError: (error, frame) => {
        if (socketId !== this.socket.currentId || error.code === 'disconnected') return;
        if (error.code === 'unauthorized') {
          const what = token === null ? 'API key' : 'access token';
          this.socket.stop(`the server refused the ${what}: ${error.message}`);
        } else if (purpose === 'connect') {
          this.socket.drop(`authentication failed: ${error.message}`);
        } else if (frame) {
          // E.g. `forbidden`: a token of another user. The session goes on as it was.
          this.events.emit('frame', frame);
        }
      },
    });
    if (!this.sendFrame({ type: 'authenticate', ...credential, ref })) this.config.requests.forget(ref);
  }

  private authenticatedAs(
    socketId: number,
    token: string | null,
    frame: ServerFrameOf<'authenticated'>,
    purpose: Purpose,
  ): void {
    this.currentUser = frame.user;
    const expiresAt =
      (token === null ? null : tokenExpiry(token)) ??
      (frame.expires_at === null ? null : Date.parse(frame.expires_at));
    if (expiresAt !== null) this.scheduleRefresh(socketId, expiresAt);
    if (purpose === 'refresh') {
      this.events.emit('refreshed', frame.user);
      return;
    }
    this.socket.ready();
    this.events.emit('ready', frame.user);
  }

  /** Re-sends `authenticate` with a fresh token before this one expires. */
  private scheduleRefresh(socketId: number, expiresAtMs: number): void {
    const clock = this.config.clock;
    clock.clearTimeout(this.refreshTimer);
    if (!Number.isFinite(expiresAtMs)) return;
    const delay = Math.min(refreshDelayMs(expiresAtMs, clock.now()), MAX_TIMER_MS);
    this.refreshTimer = clock.setTimeout(() => {
      if (socketId === this.socket.currentId && this.socket.isReady)
        void this.authenticate(socketId, 'refresh');
    }, delay);
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') {
      this.invalid++;
      return;
    }
    const parsed = parseServerFrame(data);
    if (!parsed.ok) {
      this.invalid++;
      return;
    }
    const frame = parsed.frame;
    if (frame.type === 'pong') this.heartbeat.pong();
    if (this.config.requests.settle(frame) || frame.type === 'pong') return;
    this.events.emit('frame', frame);
  }
}
