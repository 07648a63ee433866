import { ErrorCode } from '@chat/protocol';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { AppendOutcome, NewMessage, Storage } from '../storage/storage';

interface Pending {
  message: NewMessage;
  settle: (outcome: AppendOutcome) => void;
}

/** Bounds one transaction (and so the wait of the first send in it). */
export const MAX_BATCH = 1000;

/** What a send gets when its batch could not be committed: nothing of it is stored. */
const NOT_STORED: AppendOutcome = {
  status: 'rejected',
  code: ErrorCode.Internal,
  message: 'the message could not be stored; retry',
};

/**
 * Group commit: every send that arrives in one turn of the event loop goes to
 * storage in ONE transaction, and each send's outcome is known only after that
 * transaction committed. One transaction at a time, so commit order is arrival
 * order; sends arriving during a commit form the next batch. A failed commit
 * answers every send of its batch `internal` and stores none of them.
 */
export class SendQueue {
  private queue: Pending[] = [];
  private scheduled = false;
  private running: Promise<void> | null = null;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly deps: { storage: Storage; metrics: Metrics; log: Logger }) {}

  /** Resolves with the send's outcome once its batch is committed (or failed); never rejects. */
  enqueue(message: NewMessage): Promise<AppendOutcome> {
    return new Promise((settle) => {
      this.queue.push({ message, settle });
      this.schedule();
    });
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
    const { storage, metrics, log } = this.deps;
    metrics.commitBatchSize.observe(batch.length);
    let outcomes: AppendOutcome[];
    try {
      outcomes = await storage.appendMessages(batch.map((pending) => pending.message));
    } catch (error) {
      // Nothing was stored; the clients keep these in their outboxes and retry.
      log.error({ err: error, batch: batch.length }, 'group commit failed');
      outcomes = [];
    }
    batch.forEach((pending, index) => pending.settle(outcomes[index] ?? NOT_STORED));
  }
}
