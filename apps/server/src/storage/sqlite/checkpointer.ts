import Database from 'better-sqlite3';
import type { MessagePort } from 'node:worker_threads';

/** Messages from the writer thread to its checkpointer thread. */
export type CheckpointRequest =
  | { kind: 'open'; file: number; filename: string; synchronous: 'FULL' | 'NORMAL' }
  /** The writer committed to this file: checkpoint it soon. */
  | { kind: 'wrote'; file: number }
  /** Close this file's connection, then set `done[0]` to 1 and notify (the writer waits on it). */
  | { kind: 'close'; file: number; done: Int32Array };

/** What the checkpointer tells the writer thread: only what went wrong. */
export interface CheckpointProblem {
  kind: 'checkpoint-failed';
  file: number;
  message: string;
}

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
 * starts the WAL over once all of it is copied. Under steady sends that moment
 * never comes (sends commit while each checkpoint runs), so the writer's own
 * automatic checkpoint at 10,000 pages starts it over (database.ts), with
 * little left to copy but the fsyncs still in its commit.
 * Measured with the dm load on SQLite: p99 delivery at 7,000 msg/s 16 -> 11.5 ms,
 * at 14,000 msg/s 42 -> 36 ms.
 *
 * Its connection has the writer's `synchronous`, so a checkpoint fsyncs the
 * WAL before copying and the database file after, as SQLite's own does.
 */
export function serveCheckpoints(port: MessagePort): void {
  const connections = new Map<number, Database.Database>();
  const scheduled = new Map<number, NodeJS.Timeout>();

  const checkpoint = (file: number): void => {
    scheduled.delete(file);
    const db = connections.get(file);
    if (!db) return;
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
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
          connections.set(request.file, db);
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
        connections.get(request.file)?.close();
        connections.delete(request.file);
        Atomics.store(request.done, 0, 1);
        Atomics.notify(request.done, 0);
        return;
      }
    }
  });
}
