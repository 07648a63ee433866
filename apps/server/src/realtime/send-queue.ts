import type { ClientFrameOf } from '@chat/protocol';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { AppendOutcome, Storage } from '../storage/storage';
import type { Connection } from '../ws/connection';

export interface QueuedSend {
  connection: Connection;
  senderId: string;
  frame: ClientFrameOf<'send_message'>;
  /** performance.now() when the frame arrived, for the ack latency histogram. */
  receivedAt: number;
}

/** Bounds one transaction (and so the wait of the first send in it). */
const MAX_BATCH = 1000;

/**
 * Group commit: every send that arrives in one turn of the event loop goes to
 * storage in ONE transaction, and each is acknowledged only after that
 * transaction committed. One transaction at a time, so commit order is arrival
 * order; sends arriving during a commit form the next batch.
 */
export class SendQueue {
  private queue: QueuedSend[] = [];
  private scheduled = false;
  private running: Promise<void> | null = null;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly deps: {
      storage: Storage;
      metrics: Metrics;
      log: Logger;
      onOutcome: (send: QueuedSend, outcome: AppendOutcome) => void;
    },
  ) {}

  enqueue(send: QueuedSend): void {
    this.queue.push(send);
    this.schedule();
  }

  get depth(): number {
    return this.queue.length;
  }

  /** Resolves when everything enqueued so far is committed and answered. */
  drain(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.running = this.commitBatch().finally(() => {
        this.running = null;
        if (this.queue.length > 0) this.schedule();
        else for (const resolve of this.idleWaiters.splice(0)) resolve();
      });
    });
  }

  private async commitBatch(): Promise<void> {
    const batch = this.queue.splice(0, MAX_BATCH);
    if (batch.length === 0) return;
    const { storage, metrics, log, onOutcome } = this.deps;
    metrics.commitBatchSize.observe(batch.length);
    let outcomes: AppendOutcome[];
    try {
      outcomes = await storage.appendMessages(
        batch.map(({ senderId, frame }) => ({
          conversation_id: frame.conversation_id,
          sender_id: senderId,
          client_id: frame.client_id,
          body: frame.body,
          reply_to: frame.reply_to ?? null,
        })),
      );
    } catch (error) {
      // Nothing was acknowledged; the clients keep these in their outboxes and retry.
      log.error({ err: error, batch: batch.length }, 'group commit failed');
      outcomes = batch.map(() => ({
        status: 'rejected',
        code: 'internal',
        message: 'the message could not be stored; retry',
      }));
    }
    batch.forEach((send, index) => {
      const outcome = outcomes[index];
      if (!outcome) return;
      try {
        onOutcome(send, outcome);
      } catch (error) {
        log.error({ err: error }, 'send outcome handler failed');
      }
    });
  }
}
