import {
  STREAM_RELAY_INTERVAL_MS,
  STREAM_SILENCE_MS,
  STREAM_STOP_GRACE_MS,
  type Message,
  type MessageState,
} from '@chat/protocol';
import type { Cancel, Clock } from '../clock';
import type { Logger } from '../logger';
import type { ChangeOutcome, EndStreamInput } from '../storage/storage';
import { completeStream, type StreamCompletionDeps } from './stream-completion';
import { StreamRelay } from './stream-relay';

export interface StreamRegistryDeps extends StreamCompletionDeps {
  clock: Clock;
  log: Logger;
  /** How often this process looks for streams that no process checkpoints any more. 0: never. */
  sweepIntervalMs?: number;
}

/** The owner writes a live stream's checkpoint at most this often (and when it opens). */
export const STREAM_CHECKPOINT_INTERVAL_MS = 5000;
export const STREAM_SWEEP_INTERVAL_MS = 10_000;
/**
 * A checkpoint older than this belongs to a process that is gone: a live owner
 * checkpoints at least every STREAM_CHECKPOINT_INTERVAL_MS while the stream
 * moves, and ends a stream that stopped moving at STREAM_SILENCE_MS. The rest
 * is a margin for clocks of different machines.
 */
export const STREAM_STALE_AFTER_MS = STREAM_SILENCE_MS + STREAM_CHECKPOINT_INTERVAL_MS + 10_000;
const SWEEP_BATCH = 100;

interface LiveStream {
  messageId: string;
  conversationId: string;
  senderId: string;
  /** The connection that sent the message: it alone streams into it, and its close interrupts it. */
  connectionId: string;
  /** The latest text the sender streamed: what the server ends the stream with. */
  body: string;
  relay: StreamRelay;
  cancelSilence: Cancel;
  cancelStop: Cancel | null;
  checkpointedAt: number;
  /** The server is ending it (stop grace, silence, close): not again. */
  ending: boolean;
}

/**
 * The streams this process owns (section 14): those sent with `streaming: true`
 * by its connections. For each it throttles the relay, keeps the latest text,
 * and ends it when the sender does not: `stopped` 5 s after a stop was asked,
 * `interrupted` after 30 s without a `stream_message` or when the owning
 * connection closes. It checkpoints each live stream in storage every few
 * seconds, and sweeps the streams whose checkpoints went stale (their process
 * was killed) to end them `interrupted`. Every end goes through `completeStream`.
 */
export class StreamRegistry {
  private readonly streams = new Map<string, LiveStream>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly stopSweeping: Cancel | null;
  private sweeping = false;
  private closed = false;

  constructor(private readonly deps: StreamRegistryDeps) {
    const sweepMs = deps.sweepIntervalMs ?? STREAM_SWEEP_INTERVAL_MS;
    this.stopSweeping = sweepMs > 0 ? deps.clock.setInterval(() => this.track(this.sweep()), sweepMs) : null;
  }

  /** The stream of a message the connection just sent with `streaming: true`. */
  open(message: Message, connectionId: string): void {
    if (this.closed || this.streams.has(message.id)) return;
    const live: LiveStream = {
      messageId: message.id,
      conversationId: message.conversation_id,
      senderId: message.sender_id,
      connectionId,
      body: message.body,
      relay: new StreamRelay({
        intervalMs: STREAM_RELAY_INTERVAL_MS,
        clock: this.deps.clock,
        relay: (body) =>
          void this.deps.publisher.messageStream(
            live.conversationId,
            live.messageId,
            live.connectionId,
            body,
          ),
      }),
      cancelSilence: () => {},
      checkpointedAt: 0,
      cancelStop: null,
      ending: false,
    };
    this.streams.set(message.id, live);
    this.armSilence(live);
    this.checkpoint(live);
  }

  /**
   * The sender's resend of the same `send_message` (its ack was lost with the
   * old socket) acked on another connection: the stream, if this process owns
   * it, moves there, so the old socket's close no longer interrupts it.
   */
  transfer(messageId: string, connectionId: string): void {
    const live = this.streams.get(messageId);
    if (live && !live.ending) live.connectionId = connectionId;
  }

  /** Who streams the message, when this process owns it. */
  ownerOf(messageId: string): { conversationId: string; senderId: string; connectionId: string } | undefined {
    return this.streams.get(messageId);
  }

  /** The owner's `stream_message` (checked by the caller against `ownerOf`). */
  update(messageId: string, body: string): void {
    const live = this.streams.get(messageId);
    if (!live || live.ending) return;
    live.body = body;
    live.relay.push(body);
    this.armSilence(live);
    if (this.deps.clock.now() - live.checkpointedAt >= STREAM_CHECKPOINT_INTERVAL_MS) this.checkpoint(live);
  }

  /**
   * Stores the end (storage checks sender and state). Once stored, the stream is
   * no longer this process's: its timers stop and a waiting relay is dropped.
   */
  async end(input: EndStreamInput): Promise<ChangeOutcome> {
    const outcome = await completeStream(this.deps, input, () => this.forget(input.message_id));
    // Not streaming any more (ended elsewhere, or unsent): nothing is left to own.
    if (outcome.status === 'rejected' && outcome.code === 'conflict') this.forget(input.message_id);
    return outcome;
  }

  /** Someone asked the sender to stop: if this process owns the stream, it ends it in 5 s unless the sender does. */
  stopRequested(messageId: string): void {
    const live = this.streams.get(messageId);
    if (!live || live.ending || live.cancelStop) return;
    live.cancelStop = this.deps.clock.setTimeout(
      () => this.endByServer(live, 'stopped'),
      STREAM_STOP_GRACE_MS,
    );
  }

  /** The connection closed: the streams it owned are interrupted. */
  endConnection(connectionId: string): void {
    for (const live of [...this.streams.values()]) {
      if (live.connectionId === connectionId) this.endByServer(live, 'interrupted');
    }
  }

  /** Shutdown (SIGTERM): every stream still open is ended `interrupted`, and the ends are awaited. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopSweeping?.();
    for (const live of [...this.streams.values()]) this.endByServer(live, 'interrupted');
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private endByServer(live: LiveStream, state: Exclude<MessageState, 'streaming' | 'complete'>): void {
    if (live.ending) return;
    live.ending = true;
    live.cancelSilence();
    live.cancelStop?.();
    const ending = this.end({
      message_id: live.messageId,
      user_id: live.senderId,
      body: live.body,
      state,
      by_server: true,
    }).then(
      (outcome) => {
        if (outcome.status === 'rejected') this.forget(live.messageId);
      },
      (error: unknown) => {
        // Storage away: the checkpoint stays, and a sweep ends the stream later.
        this.forget(live.messageId);
        this.deps.log.error({ err: error, messageId: live.messageId, state }, 'ending a stream failed');
      },
    );
    this.track(ending);
  }

  private forget(messageId: string): void {
    const live = this.streams.get(messageId);
    if (!live) return;
    this.streams.delete(messageId);
    live.relay.cancel();
    live.cancelSilence();
    live.cancelStop?.();
  }

  private armSilence(live: LiveStream): void {
    live.cancelSilence();
    live.cancelSilence = this.deps.clock.setTimeout(
      () => this.endByServer(live, 'interrupted'),
      STREAM_SILENCE_MS,
    );
  }

  private checkpoint(live: LiveStream): void {
    live.checkpointedAt = this.deps.clock.now();
    const written = this.deps.storage
      .checkpointStream({ message_id: live.messageId, body: live.body, now: new Date(live.checkpointedAt) })
      .catch((error: unknown) => {
        this.deps.log.warn({ err: error, messageId: live.messageId }, 'stream checkpoint failed');
      });
    this.track(written);
  }

  /** Ends, `interrupted`, the streams whose owning process stopped checkpointing them (it died). */
  private async sweep(): Promise<void> {
    if (this.sweeping || this.closed) return;
    this.sweeping = true;
    try {
      const before = new Date(this.deps.clock.now() - STREAM_STALE_AFTER_MS);
      for (const stale of await this.deps.storage.staleStreams(before, SWEEP_BATCH)) {
        // This process's own streams end by their own timers; a stopping process leaves the rest to others.
        if (this.closed) break;
        if (this.streams.has(stale.message_id)) continue;
        const outcome = await completeStream(this.deps, {
          message_id: stale.message_id,
          user_id: stale.sender_id,
          body: stale.body,
          state: 'interrupted',
          by_server: true,
        });
        if (outcome.status === 'changed') {
          this.deps.log.info({ messageId: stale.message_id }, 'stream of a gone process interrupted');
        }
      }
    } catch (error) {
      this.deps.log.warn({ err: error }, 'stream sweep failed');
    } finally {
      this.sweeping = false;
    }
  }

  private track(promise: Promise<unknown>): void {
    this.inFlight.add(promise);
    const settled = () => void this.inFlight.delete(promise);
    promise.then(settled, settled);
  }
}
