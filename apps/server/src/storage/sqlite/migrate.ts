import type { Database } from 'better-sqlite3';
import { SCHEMA_MIGRATIONS_DDL, pendingMigrations, readMigrations } from '../migrations';

/** The SQLite schema's migration files. */
export const SQLITE_MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

/**
 * Brings the database up to date and returns the versions it applied. Runs in one
 * IMMEDIATE transaction, so two processes opening the same file at once apply
 * each migration exactly once (the second waits, then finds nothing to do).
 */
export function migrateSqlite(db: Database, dir: URL = SQLITE_MIGRATIONS_DIR): string[] {
  const migrations = readMigrations(dir);
  const run = db.transaction(() => {
    db.exec(SCHEMA_MIGRATIONS_DDL);
    const applied = db.prepare<[], string>('SELECT version FROM schema_migrations').pluck().all();
    const record = db.prepare<[string, string]>(
      'INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)',
    );
    const pending = pendingMigrations(migrations, applied);
    for (const migration of pending) {
      db.exec(migration.sql);
      record.run(migration.version, new Date().toISOString());
    }
    return pending.map((m) => m.version);
  });
  return run.immediate();
}
