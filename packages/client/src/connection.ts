import { CloseCode, closeAction, parseServerFrame } from '@chat/protocol';
import type { ClientFrame, ServerFrame, ServerFrameOf, User } from '@chat/protocol';
import { Backoff } from './backoff';
import { browserSaysOffline, watchBrowserSignals } from './browser-signals';
import { Emitter } from './emitter';
import { Heartbeat } from './heartbeat';
import type { Requests } from './requests';
import { refreshDelayMs, tokenExpiry } from './token';
import type {
  BackoffOptions,
  ConnectionStatus,
  HeartbeatOptions,
  SocketLike,
  TokenGetter,
  WebSocketLike,
} from './types';

export interface ConnectionConfig {
  url: string;
  getToken: TokenGetter;
  WebSocket: WebSocketLike;
  backoff: Required<BackoffOptions>;
  heartbeat: Required<HeartbeatOptions>;
  handshakeTimeoutMs: number;
  /** Shared with the client: the `authenticate` replies are routed by ref too. */
  requests: Requests;
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

const OPEN = 1;
/** setTimeout's ceiling (about 24.8 days); a longer token is simply refreshed early. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** When getToken() throws during a refresh, try again after this long. */
const REFRESH_RETRY_MS = 5_000;

type Purpose = 'connect' | 'refresh';

/**
 * The socket lifecycle, one socket at a time:
 *
 *   start -> connecting -> (open, authenticate) -> open
 *   close / dead heartbeat / handshake timeout -> reconnecting (backoff) -> ...
 *   browser offline -> offline; online -> reconnect at once
 *   stop / 1000 / signed out / token refused -> closed (no more attempts)
 *
 * Close codes act as PROTOCOL.md section 6 says (`closeAction`). A token the
 * server refuses right after getToken() produced it is final ('closed' with a
 * closeReason): retrying would loop. A 4001 on a session that was open (the
 * token expired) reconnects, and every connect asks getToken() afresh.
 */
export class Connection {
  readonly events = new Emitter<ConnectionEvents>();
  private currentStatus: ConnectionStatus = 'connecting';
  private currentUser: User | null = null;
  private reason: string | null = null;
  private lastLoss: string | null = null;
  private invalid = 0;

  private running = false;
  /** The browser said 'offline' and has not said 'online' since. */
  private offlineHint = false;
  private socket: SocketLike | null = null;
  private authenticated = false;
  private readonly backoff: Backoff;
  private readonly heartbeat: Heartbeat;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private handshakeTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private stableTimer: ReturnType<typeof setTimeout> | undefined;
  private unwatchBrowser: () => void = () => {};

  constructor(private readonly config: ConnectionConfig) {
    this.backoff = new Backoff({ initialMs: config.backoff.initialMs, maxMs: config.backoff.maxMs });
    this.heartbeat = new Heartbeat({
      intervalMs: config.heartbeat.intervalMs,
      timeoutMs: config.heartbeat.timeoutMs,
      sendPing: () => {
        if (this.socket) safeSend(this.socket, { type: 'ping' });
      },
      onDead: () => this.drop('no pong: the connection is dead'),
    });
  }

  get status(): ConnectionStatus {
    return this.currentStatus;
  }

  /** Who the server authenticated (kept after a disconnect, for display). */
  get user(): User | null {
    return this.currentUser;
  }

  /** Why the status is 'closed' (stopped, signed out, token refused, closed by the server). */
  get closeReason(): string | null {
    return this.reason;
  }

  /** Why the last socket was lost (a close code, a dead heartbeat, ...), for diagnostics. */
  get lastDisconnectReason(): string | null {
    return this.lastLoss;
  }

  /** Server frames dropped because they failed their schema. */
  get invalidFrames(): number {
    return this.invalid;
  }

  /** Whether frames can be sent now (open and authenticated). */
  get isOpen(): boolean {
    return this.authenticated && this.socket !== null && this.socket.readyState === OPEN;
  }

  /**
   * Connects; restarts a stopped connection. While running it opens no second
   * socket: it only hurries a reconnect waiting out its backoff (a "Reconnect
   * now" button) or pings an open socket to check it.
   */
  start(): void {
    if (this.running) {
      this.check();
      return;
    }
    this.running = true;
    this.reason = null;
    this.unwatchBrowser = watchBrowserSignals({
      online: () => this.reconnectNow(),
      offline: () => this.wentOffline(),
      visible: () => this.check(),
    });
    this.setStatus('connecting');
    this.open();
  }

  /** Closes with 1000 and stays closed until the next start(). */
  stop(reason = 'stopped by the client'): void {
    if (!this.running && this.currentStatus === 'closed') return;
    this.finish(reason);
  }

  /** Sends a frame on the authenticated socket; false (nothing sent) when not open. */
  send(frame: ClientFrame): boolean {
    return this.isOpen && safeSend(this.socket!, frame);
  }

  /** Reconnects at once when waiting out a backoff; pings an open socket to prove it alive. */
  check(): void {
    if (!this.running) return;
    if (this.socket === null) this.connectNow();
    else if (this.authenticated) this.heartbeat.ping();
  }

  private open(): void {
    clearTimeout(this.retryTimer);
    let socket: SocketLike;
    try {
      socket = new this.config.WebSocket(this.config.url);
    } catch (error) {
      this.finish(`cannot open ${this.config.url}: ${(error as Error).message}`);
      return;
    }
    this.socket = socket;
    this.authenticated = false;
    this.handshakeTimer = setTimeout(
      () => this.drop('no authenticated connection in time'),
      this.config.handshakeTimeoutMs,
    );
    // Listeners stay attached for the socket's life; each checks it is still the current one.
    socket.addEventListener('open', () => {
      if (socket !== this.socket) return;
      this.heartbeat.start();
      void this.authenticate(socket, 'connect');
    });
    socket.addEventListener('message', (event) => {
      if (socket === this.socket) this.receive(event.data);
    });
    socket.addEventListener('close', (event) => {
      if (socket === this.socket) this.closed(event.code, event.reason);
    });
    socket.addEventListener('error', () => {
      // A close event follows; `ws` needs a listener so the error is not thrown.
    });
  }

  private async authenticate(socket: SocketLike, purpose: Purpose): Promise<void> {
    let token: string | null;
    try {
      token = await this.config.getToken();
    } catch (error) {
      if (socket !== this.socket) return;
      const message = `getToken() failed: ${(error as Error).message}`;
      if (purpose === 'connect') this.drop(message);
      else this.scheduleRefresh(socket, Date.now() + 2 * REFRESH_RETRY_MS);
      return;
    }
    if (socket !== this.socket) return;
    if (!token) {
      this.finish('signed out: getToken() returned no token');
      return;
    }
    const ref = this.config.requests.track({
      onReply: (frame) => {
        if (frame.type === 'authenticated' && socket === this.socket) {
          this.authenticatedAs(socket, token, frame, purpose);
        }
      },
      onError: (error, frame) => {
        if (socket !== this.socket || error.code === 'disconnected') return;
        if (error.code === 'unauthorized') {
          this.finish(`the server refused the access token: ${error.message}`);
        } else if (purpose === 'connect') {
          this.drop(`authentication failed: ${error.message}`);
        } else if (frame) {
          // E.g. `forbidden`: a token of another user. The session goes on as it was.
          this.events.emit('frame', frame);
        }
      },
    });
    if (!safeSend(socket, { type: 'authenticate', token, ref })) this.config.requests.forget(ref);
  }

  private authenticatedAs(
    socket: SocketLike,
    token: string,
    frame: ServerFrameOf<'authenticated'>,
    purpose: Purpose,
  ): void {
    this.currentUser = frame.user;
    this.scheduleRefresh(socket, tokenExpiry(token) ?? Date.parse(frame.expires_at));
    if (purpose === 'refresh') {
      this.events.emit('refreshed', frame.user);
      return;
    }
    clearTimeout(this.handshakeTimer);
    this.authenticated = true;
    this.offlineHint = false;
    this.stableTimer = setTimeout(() => this.backoff.reset(), this.config.backoff.stableAfterMs);
    this.setStatus('open');
    this.events.emit('ready', frame.user);
  }

  /** Re-sends `authenticate` with a fresh token before this one expires. */
  private scheduleRefresh(socket: SocketLike, expiresAtMs: number): void {
    clearTimeout(this.refreshTimer);
    if (!Number.isFinite(expiresAtMs)) return;
    const delay = Math.min(refreshDelayMs(expiresAtMs, Date.now()), MAX_TIMER_MS);
    this.refreshTimer = setTimeout(() => {
      if (socket === this.socket && this.authenticated) void this.authenticate(socket, 'refresh');
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

  private closed(code: number, reason: string): void {
    this.lastLoss = `closed with ${code}${reason ? `: ${reason}` : ''}`;
    this.teardown();
    if (!this.running) return;
    const action = closeAction(code);
    if (action === 'stay_closed') {
      this.finish(`the server closed the connection (${code}${reason ? `: ${reason}` : ''})`);
      return;
    }
    this.scheduleReconnect(action === 'reconnect_after_pause' ? this.config.backoff.floodPauseMs : 0);
  }

  /** Gives up on the current socket (dead, or stuck in its handshake) and reconnects. */
  private drop(why: string): void {
    this.lastLoss = why;
    const socket = this.socket;
    this.teardown();
    if (socket) closeQuietly(socket, true);
    if (this.running) this.scheduleReconnect(0);
  }

  private scheduleReconnect(leastMs: number): void {
    clearTimeout(this.retryTimer);
    const delay = Math.max(this.backoff.next(), leastMs);
    this.setStatus(this.waitingStatus());
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  /** The browser is back online: reconnect at once (or check the socket we have). */
  private reconnectNow(): void {
    this.offlineHint = false;
    this.check();
  }

  /** Skips what is left of the backoff. */
  private connectNow(): void {
    if (!this.running || this.socket !== null) return;
    this.setStatus(this.waitingStatus());
    this.open();
  }

  private waitingStatus(): ConnectionStatus {
    return this.offlineHint || browserSaysOffline() ? 'offline' : 'reconnecting';
  }

  private wentOffline(): void {
    if (!this.running) return;
    this.offlineHint = true;
    const socket = this.socket;
    this.teardown();
    if (socket) closeQuietly(socket, true);
    // Still retry on the backoff, in case the browser never says 'online' again.
    this.scheduleReconnect(0);
  }

  /** Forgets the current socket: timers, heartbeat, requests in flight. */
  private teardown(): void {
    const socket = this.socket;
    if (!socket) return;
    this.socket = null;
    this.authenticated = false;
    clearTimeout(this.handshakeTimer);
    clearTimeout(this.refreshTimer);
    clearTimeout(this.stableTimer);
    this.heartbeat.stop();
    this.config.requests.failAll('the connection was lost before the reply');
    this.events.emit('lost', undefined);
  }

  /** The end: no more attempts until start(). */
  private finish(reason: string): void {
    this.running = false;
    clearTimeout(this.retryTimer);
    this.unwatchBrowser();
    this.unwatchBrowser = () => {};
    const socket = this.socket;
    this.teardown();
    if (socket) closeQuietly(socket, false);
    this.backoff.reset();
    this.reason = reason;
    this.setStatus('closed');
  }

  private setStatus(status: ConnectionStatus): void {
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    this.events.emit('status', status);
  }
}

function safeSend(socket: SocketLike, frame: ClientFrame): boolean {
  if (socket.readyState !== OPEN) return false;
  try {
    socket.send(JSON.stringify(frame));
    return true;
  } catch {
    return false;
  }
}

/** Closes a socket we no longer listen to; a dead one is terminated where the runtime can. */
function closeQuietly(socket: SocketLike, dead: boolean): void {
  try {
    if (dead && socket.terminate) socket.terminate();
    else socket.close(CloseCode.Normal);
  } catch {
    // Already closed.
  }
}
