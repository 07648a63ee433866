import { randomUUID } from 'node:crypto';
import type { ErrorCode, ServerFrame, ServerFrameType, User } from '@chat/protocol';
import { CloseCode } from '@chat/protocol';
import type { WebSocket } from 'ws';
import type { ChatError } from '../errors';
import type { Metrics } from '../metrics';
import { SlidingWindowCounter, TokenBucket } from '../limits/token-bucket';

export interface ConnectionLimits {
  rateLimitMessagesPerSec: number;
  rateLimitBurst: number;
  floodCloseThreshold: number;
  maxBufferedBytes: number;
}

/** How long a socket closed for backpressure may take to finish its close handshake. */
const CLOSE_GRACE_MS = 5000;
const FLOOD_WINDOW_MS = 10_000;

/**
 * One client socket: who it is, what it joined, its limits, and the only way
 * frames leave the server towards it (so backpressure and metrics hold everywhere).
 */
export class Connection {
  readonly id = randomUUID();
  user: User | null = null;
  /** The token's exp, in ms since the epoch. */
  tokenExpiresAt = 0;
  /** Conversations this connection is joined to (or joining). */
  readonly joined = new Set<string>();
  /** Conversations the user was found a member of (membership never shrinks). */
  readonly memberOf = new Set<string>();
  /** Answered the last heartbeat ping. */
  isAlive = true;
  private closing = false;
  private readonly sendBucket: TokenBucket;
  private readonly refusals = new SlidingWindowCounter(FLOOD_WINDOW_MS);
  private readonly closeListeners: Array<() => void> = [];
  private authTimer: NodeJS.Timeout | null = null;
  private expiryTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly socket: WebSocket,
    private readonly limits: ConnectionLimits,
    private readonly metrics: Metrics,
  ) {
    this.sendBucket = new TokenBucket(limits.rateLimitMessagesPerSec, limits.rateLimitBurst);
    socket.once('close', () => {
      this.closing = true;
      this.clearAuthTimer();
      if (this.expiryTimer) clearTimeout(this.expiryTimer);
      for (const listener of this.closeListeners.splice(0)) listener();
    });
  }

  get isOpen(): boolean {
    return !this.closing && this.socket.readyState === this.socket.OPEN;
  }

  /** The server closed or terminated this connection, or it is gone: nothing more will be sent on it. */
  get isClosing(): boolean {
    return this.closing;
  }

  get userId(): string | null {
    return this.user?.id ?? null;
  }

  onClose(listener: () => void): void {
    if (this.closing && this.socket.readyState === this.socket.CLOSED) listener();
    else this.closeListeners.push(listener);
  }

  /** The deadline to authenticate (close 4008). */
  setAuthTimer(timer: NodeJS.Timeout): void {
    this.clearAuthTimer();
    this.authTimer = timer;
  }

  clearAuthTimer(): void {
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authTimer = null;
  }

  /** When the token expires without a refresh (close 4001). */
  setExpiryTimer(timer: NodeJS.Timeout): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = timer;
  }

  send(frame: ServerFrame): void {
    this.sendSerialized(JSON.stringify(frame), frame.type);
  }

  /** Sends a frame serialised once for many recipients. */
  sendSerialized(text: string, type: ServerFrameType): void {
    if (!this.isOpen) return;
    if (this.socket.bufferedAmount + text.length > this.limits.maxBufferedBytes) {
      // A reader this slow would grow the server's memory without bound.
      this.close(CloseCode.TooSlow, 'too slow: send buffer full');
      return;
    }
    this.socket.send(text);
    this.metrics.framesOut.inc({ type });
  }

  sendError(
    error: { code: ErrorCode; message: string; retryAfterMs?: number | undefined },
    context: { ref?: string | undefined; clientId?: string | undefined } = {},
  ): void {
    this.metrics.errors.inc({ code: error.code });
    this.send({
      type: 'error',
      code: error.code,
      message: error.message,
      ...(context.ref === undefined ? {} : { ref: context.ref }),
      ...(context.clientId === undefined ? {} : { client_id: context.clientId }),
      ...(error.retryAfterMs === undefined ? {} : { retry_after_ms: error.retryAfterMs }),
    });
  }

  sendChatError(error: ChatError, ref?: string, clientId?: string): void {
    this.sendError(error, { ref, clientId });
  }

  /** `{type:'ack', ref}` for a request that has no named reply; nothing without a ref. */
  ack(ref: string | undefined): void {
    if (ref !== undefined) this.send({ type: 'ack', ref });
  }

  /** 0 when a send_message may go through, else the ms until it may. */
  takeSendToken(): number {
    return this.sendBucket.take();
  }

  /** Counts a rate_limited refusal; a connection that keeps flooding is closed with 4029. */
  recordRefusal(): void {
    if (this.refusals.record() > this.limits.floodCloseThreshold) {
      this.close(CloseCode.Flooding, 'flooding');
    }
  }

  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.metrics.closes.inc({ code: String(code) });
    this.socket.close(code, reason);
    // A peer that does not read will never answer the close handshake.
    const timer = setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS);
    timer.unref();
    this.socket.once('close', () => clearTimeout(timer));
  }

  terminate(): void {
    this.closing = true;
    this.socket.terminate();
  }
}
