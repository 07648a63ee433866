import { CloseCode, closeAction } from '@chat/protocol';
import { Backoff } from './backoff';
import { browserSaysOffline, watchBrowserSignals } from './browser-signals';
import type { Clock } from './clock';
import { Emitter } from './emitter';
import type { BackoffOptions, ConnectionStatus, SocketLike, WebSocketLike } from './types';

export interface ReconnectingSocketConfig {
  url: string;
  WebSocket: WebSocketLike;
  backoff: Required<BackoffOptions>;
  /** A new socket must be made ready (see `ready()`) within this long, else it is dropped. */
  readyTimeoutMs: number;
  clock: Clock;
}

export interface ReconnectingSocketEvents {
  status: ConnectionStatus;
  /** A new socket is open (its id): the owner runs its handshake, then calls `ready()`. */
  open: number;
  /** The data of every message on the current socket. */
  message: unknown;
  /** The current socket is gone (closed, dropped or stopped). */
  lost: undefined;
  /** The ready socket should prove it is alive (the page came back, or a "Reconnect now"). */
  check: undefined;
}

const OPEN = 1;

/**
 * One WebSocket at a time, replaced whenever it is lost, knowing nothing of
 * the frames it carries beyond the close codes:
 *
 *   start -> connecting -> (socket open, owner's handshake, ready()) -> open
 *   close / drop() / not ready in time -> reconnecting (backoff) -> ...
 *   browser offline -> offline; online -> reconnect at once
 *   stop() / close 1000 -> closed (no more attempts until start())
 *
 * Close codes act as docs/protocol.md section 6 says (`closeAction`): 4029 waits at
 * least `floodPauseMs`. The backoff resets only after a socket stayed ready
 * for `stableAfterMs`, so a server that accepts and at once drops does not get
 * hammered.
 */
export class ReconnectingSocket {
  readonly events = new Emitter<ReconnectingSocketEvents>();
  private currentStatus: ConnectionStatus = 'connecting';
  private reason: string | null = null;
  private lastLoss: string | null = null;

  private running = false;
  /** The browser said 'offline' and has not said 'online' since. */
  private offlineHint = false;
  private socket: SocketLike | null = null;
  private socketId = 0;
  private readyNow = false;
  private readonly backoff: Backoff;
  private retryTimer: unknown;
  private readyTimer: unknown;
  private stableTimer: unknown;
  private unwatchBrowser: () => void = () => {};

  constructor(private readonly config: ReconnectingSocketConfig) {
    this.backoff = new Backoff({ initialMs: config.backoff.initialMs, maxMs: config.backoff.maxMs });
  }

  get status(): ConnectionStatus {
    return this.currentStatus;
  }

  /** Why the status is 'closed' (stopped by the owner, closed by the server). */
  get closeReason(): string | null {
    return this.reason;
  }

  /** Why the last socket was lost (a close code, a dropped socket, ...), for diagnostics. */
  get lastDisconnectReason(): string | null {
    return this.lastLoss;
  }

  /** Id of the current socket, null between sockets: async work begun for a socket checks it is still current. */
  get currentId(): number | null {
    return this.socket === null ? null : this.socketId;
  }

  /** Whether the owner made the current socket ready. */
  get isReady(): boolean {
    return this.readyNow;
  }

  /** Ready, and the socket can carry a message now. */
  get isOpen(): boolean {
    return this.readyNow && this.socket !== null && this.socket.readyState === OPEN;
  }

  /**
   * Connects; restarts a stopped socket. While running it opens no second
   * socket: it only hurries a reconnect waiting out its backoff (a "Reconnect
   * now" button) or asks the owner to check the ready one.
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

  /** Closes with 1000 and stays 'closed', with `reason`, until the next start(). */
  stop(reason: string): void {
    if (!this.running && this.currentStatus === 'closed') return;
    this.finish(reason);
  }

  /** Sends on the current socket, ready or not; false (nothing sent) when it is not open. */
  send(data: string): boolean {
    const socket = this.socket;
    if (socket === null || socket.readyState !== OPEN) return false;
    try {
      socket.send(data);
      return true;
    } catch {
      // `ws` throws when the socket closed under us; its close event follows and reconnects.
      return false;
    }
  }

  /** The owner's handshake succeeded on the current socket: status 'open'. */
  ready(): void {
    if (this.socket === null || this.readyNow) return;
    this.config.clock.clearTimeout(this.readyTimer);
    this.readyNow = true;
    this.offlineHint = false;
    this.stableTimer = this.config.clock.setTimeout(
      () => this.backoff.reset(),
      this.config.backoff.stableAfterMs,
    );
    this.setStatus('open');
  }

  /** Gives up on the current socket (dead, or its handshake failed) and reconnects. */
  drop(why: string): void {
    this.lastLoss = why;
    const socket = this.socket;
    this.teardown();
    if (socket) closeQuietly(socket, true);
    if (this.running) this.scheduleReconnect(0);
  }

  private check(): void {
    if (!this.running) return;
    if (this.socket === null) this.connectNow();
    else if (this.readyNow) this.events.emit('check', undefined);
  }

  private open(): void {
    this.config.clock.clearTimeout(this.retryTimer);
    let socket: SocketLike;
    try {
      socket = new this.config.WebSocket(this.config.url);
    } catch (error) {
      this.finish(`cannot open ${this.config.url}: ${(error as Error).message}`);
      return;
    }
    this.socket = socket;
    const id = ++this.socketId;
    this.readyNow = false;
    this.readyTimer = this.config.clock.setTimeout(
      () => this.drop('no authenticated connection in time'),
      this.config.readyTimeoutMs,
    );
    // Listeners stay attached for the socket's life; each checks it is still the current one.
    socket.addEventListener('open', () => {
      if (socket === this.socket) this.events.emit('open', id);
    });
    socket.addEventListener('message', (event) => {
      if (socket === this.socket) this.events.emit('message', event.data);
    });
    socket.addEventListener('close', (event) => {
      if (socket === this.socket) this.closed(event.code, event.reason);
    });
    socket.addEventListener('error', () => {
      // A close event follows; `ws` needs a listener so the error is not thrown.
    });
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

  private scheduleReconnect(leastMs: number): void {
    this.config.clock.clearTimeout(this.retryTimer);
    const delay = Math.max(this.backoff.next(), leastMs);
    this.setStatus(this.waitingStatus());
    this.retryTimer = this.config.clock.setTimeout(() => this.open(), delay);
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

  /** Forgets the current socket and its timers, and tells the owner. */
  private teardown(): void {
    if (!this.socket) return;
    this.socket = null;
    this.readyNow = false;
    this.config.clock.clearTimeout(this.readyTimer);
    this.config.clock.clearTimeout(this.stableTimer);
    this.events.emit('lost', undefined);
  }

  /** The end: no more attempts until start(). */
  private finish(reason: string): void {
    this.running = false;
    this.config.clock.clearTimeout(this.retryTimer);
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

/** Closes a socket we no longer listen to; a dead one is terminated where the runtime can. */
function closeQuietly(socket: SocketLike, dead: boolean): void {
  try {
    if (dead && socket.terminate) socket.terminate();
    else socket.close(CloseCode.Normal);
  } catch {
    // Closing a socket that is already closed throws in some runtimes: nothing is left to close.
  }
}
