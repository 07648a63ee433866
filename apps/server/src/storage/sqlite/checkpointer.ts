import Database from 'better-sqlite3';
import type { MessagePort } from 'node:worker_threads';

/** Messages from the writer thread to its checkpointer thread. */
export type CheckpointRequest =
  | {
      kind: 'open';
      file: number;
      filename: string;
      synchronous: 'FULL' | 'NORMAL';
      /** WAL pages past which a checkpoint asks the writer to start the WAL over. */
      restartPages: number;
    }
  /** The writer committed to this file: checkpoint it soon. */
  | { kind: 'wrote'; file: number }
  /** Close this file's connection, then set `done[0]` to 1 and notify (the writer waits on it). */
  | { kind: 'close'; file: number; done: Int32Array };

/** What went wrong in the checkpointer, for the host to log. */
export interface CheckpointProblem {
  kind: 'checkpoint-failed';
  file: number;
  message: string;
}

/** What the checkpointer tells the writer thread. */
export type CheckpointNotice =
  | CheckpointProblem
  /** The WAL is long and copied back but for what committed meanwhile: start it over. */
  | { kind: 'restart-due'; file: number };

/** The default of `SqliteStorageOptions.walRestartPages`: 16 MiB of WAL. */
export const WAL_RESTART_PAGES = 4_000;

/** How long after a commit its file is checkpointed: the WAL holds about this long of writes. */
export const CHECKPOINT_DELAY_MS = 100;

/**
 * The checkpointer thread (issue 13): copies the WAL back into the database
 * file beside the writer thread, with `PRAGMA wal_checkpoint(PASSIVE)` on a
 * connection of its own, a tenth of a second after the writer commits.
 *
 * Why: a checkpoint writes back every page the WAL holds and fsyncs the file.
 * Run by the writer's own commit (SQLite's automatic checkpoint), that stalled
 * the sends behind it; and a WAL left to grow makes every commit slower (its
 * index is searched for each page read). PASSIVE never waits for, nor blocks,
 * the writer or readers: it copies what no reader still needs, and the writer
 * starts the WAL over once all of it is copied. Measured with the dm load on
 * SQLite: p99 delivery at 7,000 msg/s 16 -> 11.5 ms, at 14,000 msg/s 42 -> 36 ms.
 *
 * Under steady sends that moment never comes on its own: sends commit while
 * each checkpoint runs, so the WAL is never all copied when the writer begins
 * a transaction. It grew to the writer's automatic checkpoint (10,000 pages),
 * which copied up to a tenth of a second of commits and fsynced inside a
 * send's commit: 11-30 ms, every ~0.7 s at 2,300 dm msg/s, a cause of that
 * load's p99 (issue 13, docs/benchmarks.md). So when a checkpoint here finds
 * the WAL past `restartPages`, it tells the writer, which checkpoints at once
 * between two commits: only what committed during this one is left to copy
 * (2-8 ms), and the next transaction starts the WAL over. Alternating with the
 * build before at 2,300 dm msg/s: p99 delivery 19-33 -> 17-27 ms, commits over
 * 25 ms 0.03-0.19% -> 0-0.08% of them.
 *
 * Its connection has the writer's `synchronous`, so a checkpoint fsyncs the
 * WAL before copying and the database file after, as SQLite's own does.
 */
export function serveCheckpoints(port: MessagePort): void {
  const connections = new Map<number, { db: Database.Database; restartPages: number }>();
  const scheduled = new Map<number, NodeJS.Timeout>();

  const checkpoint = (file: number): void => {
    scheduled.delete(file);
    const connection = connections.get(file);
    if (!connection) return;
    try {
      const [result] = connection.db.pragma('wal_checkpoint(PASSIVE)') as CheckpointResult[];
      if (result && result.log >= connection.restartPages && result.checkpointed === result.log) {
        port.postMessage({ kind: 'restart-due', file } satisfies CheckpointNotice);
      }
    } catch (error) {
      // The writer's automatic checkpoint still runs; the host logs this.
      port.postMessage({
        kind: 'checkpoint-failed',
        file,
        message: error instanceof Error ? error.message : String(error),
      } satisfies CheckpointProblem);
    }
  };

  port.on('message', (request: CheckpointRequest) => {
    switch (request.kind) {
      case 'open':
        try {
          const db = new Database(request.filename, { fileMustExist: true });
          db.pragma(`synchronous = ${request.synchronous}`);
          connections.set(request.file, { db, restartPages: request.restartPages });
        } catch (error) {
          port.postMessage({
            kind: 'checkpoint-failed',
            file: request.file,
            message: error instanceof Error ? error.message : String(error),
          } satisfies CheckpointProblem);
        }
        return;
      case 'wrote':
        if (!scheduled.has(request.file) && connections.has(request.file)) {
          scheduled.set(
            request.file,
            setTimeout(() => checkpoint(request.file), CHECKPOINT_DELAY_MS),
          );
        }
        return;
      case 'close': {
        clearTimeout(scheduled.get(request.file));
        scheduled.delete(request.file);
        connections.get(request.file)?.db.close();
        connections.delete(request.file);
        Atomics.store(request.done, 0, 1);
        Atomics.notify(request.done, 0);
        return;
      }
    }
  });
}

/** A row of `PRAGMA wal_checkpoint`: busy 1 when it could not run; pages in the WAL, and copied. */
interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}
