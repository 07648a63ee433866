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
}

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
    // SQLite's own lower() and LIKE fold ASCII only; this folds "É" to "é" too.
    db.function('fold', { deterministic: true }, (text: unknown) =>
      typeof text === 'string' ? text.toLowerCase() : text,
    );
    migrateSqlite(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
