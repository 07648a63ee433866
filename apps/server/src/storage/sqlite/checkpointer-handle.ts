import { Worker } from 'node:worker_threads';
import {
  CHECKPOINT_DELAY_MS,
  type CheckpointNotice,
  type CheckpointProblem,
  type CheckpointRequest,
} from './checkpointer';

/** How long a close waits for the checkpointer to let go of the file. */
const CLOSE_WAIT_MS = 5_000;
/** After the checkpointer thread dies, how long before the next commit starts another. */
const RESTART_AFTER_MS = 5_000;

interface OpenFile {
  filename: string;
  synchronous: 'FULL' | 'NORMAL';
  restartPages: number;
}

/**
 * The writer thread's side of the checkpointer thread (checkpointer.ts): starts
 * it with the first file, tells it of commits (at most one notice per file per
 * half delay: posting one per group commit would cost the writer more than the
 * checkpoint saves), and closes a file there before the writer closes its own
 * connection, so no connection outlives a closed storage.
 *
 * While the thread is down (it died; restarted at a commit 5 s later) the
 * writer's own automatic checkpoint keeps the WAL bounded: nothing waits on this.
 */
export class CheckpointerHandle {
  private worker: Worker | null = null;
  private diedAt = Number.NEGATIVE_INFINITY;
  private readonly files = new Map<number, OpenFile>();
  private readonly lastNotice = new Map<number, number>();

  /**
   * @param script the script the thread runs (the writer's own, with `workerData.role`)
   * @param report what went wrong there, for the host to log
   * @param restartDue the file's WAL is long and copied back: the writer starts it over
   */
  constructor(
    private readonly script: URL,
    private readonly report: (problem: CheckpointProblem) => void,
    private readonly restartDue: (file: number) => void,
  ) {}

  open(file: number, options: OpenFile): void {
    this.files.set(file, options);
    // A thread started now opens every file in `files`, this one included.
    if (this.worker) this.worker.postMessage({ kind: 'open', file, ...options } satisfies CheckpointRequest);
    else this.running();
  }

  wrote(file: number): void {
    const now = performance.now();
    if (now - (this.lastNotice.get(file) ?? Number.NEGATIVE_INFINITY) < CHECKPOINT_DELAY_MS / 2) return;
    this.lastNotice.set(file, now);
    this.post({ kind: 'wrote', file });
  }

  /** Blocks until the thread has closed the file's connection (or CLOSE_WAIT_MS passed). */
  close(file: number): void {
    this.files.delete(file);
    this.lastNotice.delete(file);
    const worker = this.worker;
    if (!worker) return;
    const done = new Int32Array(new SharedArrayBuffer(4));
    worker.postMessage({ kind: 'close', file, done } satisfies CheckpointRequest);
    Atomics.wait(done, 0, 0, CLOSE_WAIT_MS);
  }

  private post(request: CheckpointRequest): void {
    this.running()?.postMessage(request);
  }

  private running(): Worker | null {
    if (this.worker) return this.worker;
    if (performance.now() - this.diedAt < RESTART_AFTER_MS) return null;
    const worker = new Worker(this.script, { workerData: { role: 'checkpointer' } });
    worker.unref();
    worker.on('message', (notice: CheckpointNotice) => {
      // A file closed meanwhile has nothing to start over.
      if (notice.kind === 'restart-due') {
        if (this.files.has(notice.file)) this.restartDue(notice.file);
      } else this.report(notice);
    });
    const lost = (message: string) => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.diedAt = performance.now();
      this.report({ kind: 'checkpoint-failed', file: 0, message });
    };
    worker.on('error', (error) => lost(`checkpointer thread failed: ${error.message}`));
    worker.on('exit', (code) => lost(`checkpointer thread exited (${code})`));
    this.worker = worker;
    // A restarted thread opens again every file still open here.
    for (const [file, options] of this.files) worker.postMessage({ kind: 'open', file, ...options });
    return worker;
  }
}
