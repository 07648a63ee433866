import { randomUUID } from 'node:crypto';
import type { ServerFrame, ServerFrameType, User } from '@chat/protocol';
import { CloseCode } from '@chat/protocol';
import type { WebSocket } from 'ws';
import type { Cancel, Clock } from '../clock';
import { SlidingWindowCounter, TokenBucket } from '../limits/token-bucket';
import type { Metrics } from '../metrics';
import { ackFrame, errorFrame, serializeFrame, type ErrorDetails } from '../realtime/frames';
import type { Recipient } from '../realtime/recipient';
import { encodeOnce } from './encode-once';
import { batchWritesThisTurn } from './write-batching';

export interface ConnectionLimits {
  rateLimitMessagesPerSec: number;
  rateLimitBurst: number;
  floodCloseThreshold: number;
  maxBufferedBytes: number;
}

/**
 * How long a socket closed by the server may take to finish its close
 * handshake. A safety net against peers that stopped reading, on real time
 * rather than the injected clock: it guards the machine, not the protocol.
 */
const CLOSE_GRACE_MS = 5000;
const FLOOD_WINDOW_MS = 10_000;
/** Frames go out as bytes encoded once (encode-once.ts), still as text frames. */
const TEXT_FRAME = { binary: false } as const;

/**
 * One client socket: who it is, what it joined, its limits, and the only way
 * frames leave the server towards it (so backpressure and metrics hold everywhere).
 */
export class Connection implements Recipient {
  readonly id = randomUUID();
  user: User | null = null;
  /** The token's exp, in ms since the epoch. */
  tokenExpiresAt = 0;
  /** The embedded auth session of the latest token (its sign-out closes this socket); null for others. */
  sessionId: string | null = null;
  /** Section 14: sha256 of the API key an agent signed in with (replaced or deleted: closed); null for a token. */
  apiKeyHash: string | null = null;
  /** Conversations this connection is joined to (or joining). */
  readonly joined = new Set<string>();
  /** Conversations the user was found a member of (membership never shrinks). */
  readonly memberOf = new Set<string>();
  /** Answered the last heartbeat ping. */
  isAlive = true;
  private closing = false;
  // Made on first use: an idle socket (most of them) never sends, nor is refused.
  private sendBucket: TokenBucket | null = null;
  private refusals: SlidingWindowCounter | null = null;
  private readonly closeListeners: Array<() => void> = [];
  private cancelAuthTimer: Cancel | null = null;
  private cancelExpiryTimer: Cancel | null = null;

  constructor(
    readonly socket: WebSocket,
    private readonly deps: {
      limits: ConnectionLimits;
      metrics: Metrics;
      clock: Clock;
      /** What leaving a conversation takes (rooms, presence, typing), run when membership ends. */
      onMembershipEnded: (connection: Connection, conversationId: string) => void;
    },
  ) {}

  /**
   * The socket closed. The gateway calls this from the one 'close' listener it
   * keeps per socket (a listener of its own here would cost every idle socket a closure).
   */
  socketClosed(): void {
    this.closing = true;
    this.clearAuthTimer();
    this.cancelExpiryTimer?.();
    for (const listener of this.closeListeners.splice(0)) listener();
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
  setAuthTimer(cancel: Cancel): void {
    this.clearAuthTimer();
    this.cancelAuthTimer = cancel;
  }

  clearAuthTimer(): void {
    this.cancelAuthTimer?.();
    this.cancelAuthTimer = null;
  }

  /** When the token expires without a refresh (close 4001). */
  setExpiryTimer(cancel: Cancel): void {
    this.cancelExpiryTimer?.();
    this.cancelExpiryTimer = cancel;
  }

  send(frame: ServerFrame): void {
    this.sendSerialized(serializeFrame(frame), frame.type);
  }

  /** Sends a frame serialised once for many recipients. */
  sendSerialized(text: string, type: ServerFrameType): void {
    if (!this.isOpen) return;
    if (this.socket.bufferedAmount + text.length > this.deps.limits.maxBufferedBytes) {
      // A reader this slow would grow the server's memory without bound.
      this.close(CloseCode.TooSlow, 'too slow: send buffer full');
      return;
    }
    batchWritesThisTurn(this.socket);
    this.socket.send(encodeOnce(text), TEXT_FRAME);
    this.deps.metrics.framesOut.count(type);
  }

  sendError(
    error: ErrorDetails,
    context: { ref?: string | undefined; clientId?: string | undefined } = {},
  ): void {
    this.deps.metrics.errors.inc({ code: error.code });
    this.send(errorFrame(error, context));
  }

  /** Section 14: the credential this connection signed in with stopped (see Recipient). */
  endSession(reason: string): void {
    this.close(CloseCode.Unauthorized, reason);
  }

  endMembership(conversationId: string): void {
    this.memberOf.delete(conversationId);
    this.deps.onMembershipEnded(this, conversationId);
  }

  /** `{type:'ack', ref}` for a request that has no named reply; nothing without a ref. */
  ack(ref: string | undefined): void {
    if (ref !== undefined) this.send(ackFrame(ref));
  }

  /** 0 when a send_message may go through, else the ms until it may. */
  takeSendToken(): number {
    this.sendBucket ??= new TokenBucket(
      this.deps.limits.rateLimitMessagesPerSec,
      this.deps.limits.rateLimitBurst,
      () => this.deps.clock.now(),
    );
    return this.sendBucket.take();
  }

  /** Counts a rate_limited refusal; a connection that keeps flooding is closed with 4029. */
  recordRefusal(): void {
    this.refusals ??= new SlidingWindowCounter(FLOOD_WINDOW_MS, () => this.deps.clock.now());
    if (this.refusals.record() > this.deps.limits.floodCloseThreshold) {
      this.close(CloseCode.Flooding, 'flooding');
    }
  }

  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.deps.metrics.closes.inc({ code: String(code) });
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
