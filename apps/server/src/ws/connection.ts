import { randomBytes } from 'node:crypto';
import type { ServerFrame, ServerFrameType, User } from '@chat/protocol';
import { CloseCode } from '@chat/protocol';
import type { WebSocket } from 'ws';
import type { Cancel, Clock } from '../clock';
import { SlidingWindowCounter, TokenBucket } from '../limits/token-bucket';
import type { Metrics } from '../metrics';
import { ackFrame, errorFrame, serializeFrame, type ErrorDetails } from '../realtime/frames';
import type { Recipient } from '../realtime/recipient';
import type { DeadlineQueue } from './deadline-queue';
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
/** Closing a little after exp keeps "never before" true despite timer rounding. */
const EXPIRY_MARGIN_MS = 50;

/** Random bytes for this many connection ids are drawn at once. */
const IDS_PER_DRAW = 256;
const ID_BYTES = 16;
let idBytes = Buffer.alloc(0);
let idOffset = 0;

/**
 * A connection's id, unique across processes (stream relays and visibility name
 * connections on the broker). Not randomUUID(): V8 keeps its text as a tree of
 * ~15 concatenated pieces, ~480 bytes held by every idle socket (issue 13).
 * The bytes are drawn for many ids at once: one draw each was 2% of a connect
 * storm's CPU (a getrandom call per socket).
 */
function newConnectionId(): string {
  if (idOffset >= idBytes.length) {
    idBytes = randomBytes(ID_BYTES * IDS_PER_DRAW);
    idOffset = 0;
  }
  idOffset += ID_BYTES;
  return idBytes.toString('base64url', idOffset - ID_BYTES, idOffset);
}

/**
 * One client socket: who it is, what it joined, its limits, and the only way
 * frames leave the server towards it (so backpressure and metrics hold everywhere).
 */
export class Connection implements Recipient {
  readonly id = newConnectionId();
  user: User | null = null;
  /** The token's exp, in ms since the epoch; infinite for an API key. */
  tokenExpiresAt = 0;
  /** Its place in the deadline queue of token expiries (-1: none). */
  deadlineIndex = -1;
  /** Which of the heartbeat's slices pings it (-1: none). */
  heartbeatSlice = -1;
  /** The embedded auth session of the latest token (its sign-out closes this socket); null for others. */
  sessionId: string | null = null;
  /** Section 14: sha256 of the API key an agent signed in with (replaced or deleted: closed); null for a token. */
  apiKeyHash: string | null = null;
  /**
   * The conversations this connection is joined to (or joining); a join checked
   * the membership. Most sockets join one: it is kept alone, and a Set made for
   * a second (a Set each cost every idle socket ~170 bytes, issue 13).
   */
  private joinedFirst: string | null = null;
  private joinedMore: Set<string> | null = null;
  /** Other conversations the user was found a member of; made on first use (most sockets only join). */
  private memberOf: Set<string> | null = null;
  /** Answered the last heartbeat ping. */
  isAlive = true;
  private closing = false;
  // Made on first use: an idle socket (most of them) never sends, nor is refused.
  private sendBucket: TokenBucket | null = null;
  private refusals: SlidingWindowCounter | null = null;
  private closeListeners: Array<() => void> | null = null;
  private cancelAuthTimer: Cancel | null = null;

  constructor(
    readonly socket: WebSocket,
    /** The peer's IP address. */
    readonly address: string,
    private readonly deps: {
      limits: ConnectionLimits;
      metrics: Metrics;
      clock: Clock;
      /** Token expiries of every connection, on one timer (closed with 4001 when due). */
      tokenExpiries: DeadlineQueue<Connection>;
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
    this.deps.tokenExpiries.delete(this);
    const listeners = this.closeListeners;
    this.closeListeners = null;
    if (listeners) for (const listener of listeners) listener();
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
    else (this.closeListeners ??= []).push(listener);
  }

  isJoined(conversationId: string): boolean {
    return this.joinedFirst === conversationId || (this.joinedMore?.has(conversationId) ?? false);
  }

  markJoined(conversationId: string): void {
    if (this.isJoined(conversationId)) return;
    if (this.joinedFirst === null) this.joinedFirst = conversationId;
    else (this.joinedMore ??= new Set()).add(conversationId);
  }

  /** False when it was not joined. */
  unmarkJoined(conversationId: string): boolean {
    if (this.joinedFirst !== conversationId) return this.joinedMore?.delete(conversationId) ?? false;
    this.joinedFirst = null;
    return true;
  }

  /** A copy: leaving each of them changes the set. */
  joinedIds(): string[] {
    const ids = this.joinedFirst === null ? [] : [this.joinedFirst];
    if (this.joinedMore) ids.push(...this.joinedMore);
    return ids;
  }

  /** Whether the user is known to be a member of the conversation (a join or an earlier check found so). */
  isKnownMember(conversationId: string): boolean {
    return this.isJoined(conversationId) || (this.memberOf?.has(conversationId) ?? false);
  }

  /** Membership is fixed at creation, so a positive answer can be kept until `endMembership`. */
  rememberMember(conversationId: string): void {
    (this.memberOf ??= new Set()).add(conversationId);
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

  /**
   * The latest credential holds until `expiresAt` (ms since the epoch; infinite
   * for an API key): the connection is closed with 4001 then, unless refreshed.
   */
  setTokenExpiry(expiresAt: number): void {
    this.tokenExpiresAt = expiresAt;
    if (!this.closing) this.deps.tokenExpiries.set(this, expiresAt + EXPIRY_MARGIN_MS);
  }

  /** The token expired without a refresh (the queue of token expiries calls this). */
  tokenExpired(): void {
    if (this.closing) return;
    this.sendError({ code: 'unauthorized', message: 'token expired' });
    this.close(CloseCode.Unauthorized, 'token expired');
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
    this.memberOf?.delete(conversationId);
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
