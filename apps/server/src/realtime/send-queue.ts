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
 * transaction committed. Sends arriving while a commit is under way form the
 * next batch. Commit order is arrival order: one batch at a time, or, where
 * storage commits batches strictly in the order they were handed over (one
 * writer: `Storage.appendPipelineDepth`), the next batch is handed over while
 * the last commits, so the writer never waits for the event loop between two
 * commits. A failed commit answers every send of its batch `internal` and
 * stores none of them.
 */
export class SendQueue {
  private queue: Pending[] = [];
  private scheduled = false;
  private inFlight = 0;
  private readonly depth: number;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly deps: { storage: Storage; metrics: Metrics; log: Logger }) {
    this.depth = Math.max(1, deps.storage.appendPipelineDepth ?? 1);
  }

  /** Resolves with the send's outcome once its batch is committed (or failed); never rejects. */
  enqueue(message: NewMessage): Promise<AppendOutcome> {
    return new Promise((settle) => {
      this.queue.push({ message, settle });
      this.schedule();
    });
  }

  /** Resolves when everything enqueued so far is committed and answered. */
  drain(): Promise<void> {
    if (this.inFlight === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.depth) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const batch = this.queue.splice(0, MAX_BATCH);
      if (batch.length === 0) return;
      this.inFlight++;
      void this.commitBatch(batch).finally(() => {
        this.inFlight--;
        if (this.queue.length > 0) this.schedule();
        else if (this.inFlight === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
      });
      // More than one batch's worth waited: the next may go at once, within the depth.
      if (this.queue.length > 0) this.schedule();
    });
  }

  private async commitBatch(batch: Pending[]): Promise<void> {
    const { storage, metrics, log } = this.deps;
    metrics.commitBatchSize.observe(batch.length);
    const endTimer = metrics.commitSeconds.startTimer();
    let outcomes: AppendOutcome[];
    try {
      outcomes = await storage.appendMessages(batch.map((pending) => pending.message));
    } catch (error) {
      // Nothing was stored; the clients keep these in their outboxes and retry.
      log.error({ err: error, batch: batch.length }, 'group commit failed');
      outcomes = [];
    }
    endTimer();
    batch.forEach((pending, index) => pending.settle(outcomes[index] ?? NOT_STORED));
  }
}
