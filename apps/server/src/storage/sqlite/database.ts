import Database from 'better-sqlite3';
import { migrateSqlite } from './migrate';

export interface SqliteStorageOptions {
  /** Path of the database file (its `-wal` and `-shm` files sit next to it). */
  filename: string;
  /**
   * `FULL` (default): every commit is fsynced, so an acked message survives a power
   * loss. `NORMAL` may lose the last commits on power loss (never corrupts): for
   * benchmarks only.
   */
  synchronous?: 'FULL' | 'NORMAL';
  /** How long a write waits for another process's lock before failing. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** Bring the schema up to date (default). The writer thread opens a file its host already migrated. */
  migrate?: boolean;
  /**
   * Commit sends on a thread of their own (default), so the statements and the
   * fsync of each group commit leave the event loop. Off: on the caller's thread.
   */
  writerThread?: boolean;
  /**
   * WAL pages past which the writer thread starts the WAL over once the
   * checkpointer thread has copied it back (checkpointer.ts). Default 4,000
   * (16 MiB); tests set it low.
   */
  walRestartPages?: number;
  /**
   * Told when the checkpointer thread fails to copy the WAL back (the writer's own
   * automatic checkpoint then keeps it bounded). Not sent to the writer thread.
   */
  onCheckpointFailed?: (message: string) => void;
}

/** WAL pages between automatic checkpoints (SQLite's default is 1,000). */
const WAL_CHECKPOINT_PAGES = 10_000;
/** The page cache of the connection: 64 MiB. */
const PAGE_CACHE_KIB = 64 * 1024;

/**
 * Opens (creating if needed) and migrates the database: WAL journal (readers never
 * block the writer), foreign keys on, a busy timeout for other processes, and the
 * `fold` function that searches use for Unicode case folding.
 */
export function openSqliteDatabase(options: SqliteStorageOptions): Database.Database {
  const db = new Database(options.filename);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    // SQLite's default page cache is 2 MB: with a large store, one conversation list
    // (a few pages of index and row per conversation, spread over the file) no longer
    // fits and every request re-reads its pages from the OS (issue 13).
    db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
    // A checkpoint copies every page the WAL holds back into the file (and fsyncs it).
    // With the writer thread, the checkpointer thread does that a tenth of a second
    // after commits, and the writer starts the WAL over once it is long
    // (checkpointer.ts); this automatic checkpoint is the backstop should they fall
    // behind. Without them, sends dirty a few scattered index pages each, the same
    // hot ones again and again: every 10,000 pages (~40 MB of WAL) instead of
    // SQLite's 1,000 writes them back a tenth as often (issue 13: a sixth less CPU
    // per message).
    db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
    // SQLite's own lower() and LIKE fold ASCII only; this folds "É" to "é" too.
    db.function('fold', { deterministic: true }, (text: unknown) =>
      typeof text === 'string' ? text.toLowerCase() : text,
    );
    if (options.migrate !== false) migrateSqlite(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
