import type { ClientFrameOf, Message, ServerFrame, ServerFrameOf } from '@chat/protocol';
import { JitteredBackoff } from './backoff';
import type { DeliveryLedger } from './ledger';
import { RawClient } from './raw-client';

/** The real client's handshake deadline (chat-client.ts handshakeTimeoutMs): open, authenticate and join. */
const HANDSHAKE_TIMEOUT_MS = 15_000;

/** Why an attempt failed, counted by the scenario: refused TCP connects, refused upgrades, timeouts. */
export type AttemptFailure = (reason: string) => void;

/**
 * One member of a conversation that behaves like the real client across a
 * server restart: when its socket closes it reconnects after a jittered
 * backoff, authenticates, joins with `since_seq` = the last seq it holds, and
 * resends every unacked send with its original `client_id`. Every `message`
 * (broadcast or in a resuming `joined`) and every ack goes to the ledger, with
 * a gap or repeat in the conversation's seq counted as an order violation.
 */
export class ResumingClient {
  /** performance.now() when the socket last became ready (authenticated and joined). */
  readyAt = Number.NaN;
  /** Attempts it took to get ready the last time (the successful one included). */
  attemptsToReady = 0;
  /** The successful attempt's open + authenticate + join, in ms (the rest of a resume is backoff). */
  handshakeMs = Number.NaN;
  /** Of that attempt, ms: TCP + upgrade, then `authenticate` → `authenticated`, then `join` → `joined`. */
  phasesMs = { open: Number.NaN, authenticate: Number.NaN, join: Number.NaN };
  /** performance.now() when its last socket closed (NaN while it never lost one). */
  closedAt = Number.NaN;
  /**
   * `message` frames that arrived on a socket before its `joined` (the protocol
   * sends `joined` first, then what follows it, gapless).
   */
  messagesBeforeJoined = 0;
  /** Resumes with `since_seq` whose `joined` said more were missed than it holds (has_more). */
  truncatedResumes = 0;
  private client: RawClient | null = null;
  private ready = false;
  private running = true;
  private lastSeq = 0;
  private joinedOnce = false;
  private attempts = 0;
  private readonly unacked = new Map<string, ClientFrameOf<'send_message'>>();
  private readonly backoff = new JitteredBackoff();
  private onReady: () => void = () => {};
  /** The join sent on the current socket, until its `joined` (or an error, a close, the deadline). */
  private pendingJoin: { resuming: boolean; settle: (error?: Error) => void } | null = null;

  constructor(
    readonly index: number,
    private readonly target: {
      url: string;
      token: string;
      conversationId: string;
      localAddress?: string;
      /** Members of the conversation: each send is expected once at each (the sender's own copy too). */
      groupSize: number;
    },
    private readonly ledger: DeliveryLedger,
    private readonly onFailure: AttemptFailure,
  ) {}

  get isReady(): boolean {
    return this.ready;
  }

  /** Connects until authenticated and joined (retrying with the backoff); resolves once ready. */
  start(): Promise<void> {
    return new Promise((resolve) => {
      this.onReady = resolve;
      void this.attempt();
    });
  }

  /** Resolves the next time the socket becomes ready (after a restart). */
  nextReady(): Promise<void> {
    return new Promise((resolve) => {
      this.onReady = resolve;
    });
  }

  /** A new message; sent now when ready, otherwise held like the client's outbox until the next resume. */
  send(clientId: string, body: string): void {
    const frame: ClientFrameOf<'send_message'> = {
      type: 'send_message',
      conversation_id: this.target.conversationId,
      client_id: clientId,
      body,
    };
    this.ledger.sent(clientId, this.index, this.target.groupSize);
    this.unacked.set(clientId, frame);
    if (this.ready) this.client?.send(frame);
  }

  get unackedCount(): number {
    return this.unacked.size;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.client?.close();
  }

  private async attempt(): Promise<void> {
    if (!this.running) return;
    const attemptStart = performance.now();
    this.attempts++;
    let client: RawClient | null = null;
    try {
      client = await RawClient.open(this.target.url, HANDSHAKE_TIMEOUT_MS, {
        ...(this.target.localAddress ? { localAddress: this.target.localAddress } : {}),
      });
      this.client = client;
      const opened = performance.now();
      client.onFrame = (frame, at) => this.frame(frame, at);
      const authenticated = client.expect('authenticated', HANDSHAKE_TIMEOUT_MS);
      client.send({ type: 'authenticate', token: this.target.token });
      await authenticated;
      const authenticatedAt = performance.now();
      await this.join(client);
      this.phasesMs = {
        open: opened - attemptStart,
        authenticate: authenticatedAt - opened,
        join: performance.now() - authenticatedAt,
      };
    } catch (error) {
      this.onFailure(failureReason(error));
      if (client) {
        client.onFrame = () => {};
        void client.close();
      }
      if (this.client === client) this.client = null;
      this.retryLater();
      return;
    }
    client.onClose = () => this.closed(client);
    if (client.closeCode !== null) {
      this.closed(client);
      return;
    }
    this.ready = true;
    this.readyAt = performance.now();
    this.handshakeMs = this.readyAt - attemptStart;
    this.attemptsToReady = this.attempts;
    this.attempts = 0;
    this.backoff.reset();
    for (const frame of this.unacked.values()) client.send(frame);
    this.onReady();
  }

  /**
   * Sends the join and resolves once its `joined` was applied. The snapshot is
   * applied in the frame handler itself, not after an await: `ws` hands every
   * frame of one TCP read over synchronously, so broadcasts right behind
   * `joined` would otherwise be seen before it.
   */
  private join(client: RawClient): Promise<void> {
    const resuming = this.joinedOnce;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => settle(new Error(`no joined within ${HANDSHAKE_TIMEOUT_MS} ms`)),
        HANDSHAKE_TIMEOUT_MS,
      );
      const settle = (error?: Error) => {
        clearTimeout(timer);
        this.pendingJoin = null;
        client.onClose = () => {};
        if (error) reject(error);
        else resolve();
      };
      this.pendingJoin = { resuming, settle };
      client.onClose = (code) => settle(new Error(`socket closed with ${code}`));
      client.send({
        type: 'join_conversation',
        conversation_id: this.target.conversationId,
        ...(resuming ? { since_seq: this.lastSeq } : {}),
      });
    });
  }

  private applyJoined(snapshot: ServerFrameOf<'joined'>, resuming: boolean, at: number): void {
    if (resuming) {
      // More missed than one resume holds: the client would join afresh; here it is a failure to report.
      if (snapshot.has_more) this.truncatedResumes++;
      for (const message of snapshot.messages) this.message(message, at);
      if (!snapshot.has_more && snapshot.last_seq !== this.lastSeq) this.ledger.orderViolation();
    }
    this.lastSeq = snapshot.last_seq;
    this.joinedOnce = true;
  }

  private closed(client: RawClient): void {
    if (this.client !== client) return;
    this.closedAt = performance.now();
    this.client = null;
    this.ready = false;
    this.retryLater();
  }

  private retryLater(): void {
    if (!this.running) return;
    setTimeout(() => void this.attempt(), this.backoff.next());
  }

  private frame(frame: ServerFrame, at: number): void {
    switch (frame.type) {
      case 'joined':
        if (!this.pendingJoin) return;
        this.applyJoined(frame, this.pendingJoin.resuming, at);
        this.pendingJoin.settle();
        return;
      case 'message':
        if (this.pendingJoin) this.messagesBeforeJoined++;
        this.message(frame.message, at);
        return;
      case 'message_ack':
        // A second ack of one client_id reaches the ledger too, which counts it as doubled.
        this.unacked.delete(frame.client_id);
        this.ledger.ack(frame.client_id, at);
        return;
      case 'error':
        if (this.pendingJoin)
          this.pendingJoin.settle(new Error(`server error ${frame.code}: ${frame.message}`));
        else this.ledger.error(frame.code);
        return;
      default:
        return; // presence and the like
    }
  }

  private message(message: Message, at: number): void {
    if (message.seq !== this.lastSeq + 1) this.ledger.orderViolation();
    this.lastSeq = Math.max(this.lastSeq, message.seq);
    this.ledger.delivery(message.client_id ?? '', this.index, at);
  }
}

function failureReason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  if (/ECONNREFUSED/.test(text)) return 'connection refused';
  if (/Unexpected server response: (\d+)/.test(text)) return `upgrade refused (${/(\d{3})/.exec(text)?.[1]})`;
  if (/within|timed out|timeout/i.test(text)) return 'timeout';
  if (/socket closed|ECONNRESET|socket hang up/.test(text)) return 'closed during the handshake';
  return text.slice(0, 80);
}
