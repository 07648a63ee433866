import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Plain `.sql` migration files, shared by every storage implementation. A folder
 * holds files named `NNN_what.sql`; they run once each, in name order, and each
 * one is recorded in `schema_migrations` in the same transaction as its SQL. The
 * drivers (sqlite/migrate.ts, later Postgres) only apply what `pendingMigrations`
 * returns, so the rules of ordering and naming live here once.
 */
export interface Migration {
  /** The file name without `.sql`, e.g. `001_init`: what `schema_migrations` records. */
  version: string;
  sql: string;
}

/** Portable DDL (SQLite and PostgreSQL alike) of the bookkeeping table. */
export const SCHEMA_MIGRATIONS_DDL = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    TEXT PRIMARY KEY,
  applied_at TEXT NOT NULL
)`;

const MIGRATION_FILE = /^\d+_[\w-]+\.sql$/;

/** Every migration in `dir`, in version order. Other files are ignored. */
export function readMigrations(dir: URL): Migration[] {
  const path = fileURLToPath(dir);
  return readdirSync(path)
    .filter((name) => MIGRATION_FILE.test(name))
    .sort()
    .map((name) => ({
      version: name.slice(0, -'.sql'.length),
      sql: readFileSync(`${path}/${name}`, 'utf8'),
    }));
}

/**
 * The migrations still to run, in order. Throws when the database knows a version
 * this code does not (a newer build migrated it): running on would be unsafe.
 */
export function pendingMigrations(all: Migration[], applied: Iterable<string>): Migration[] {
  const known = new Set(all.map((m) => m.version));
  const done = new Set(applied);
  for (const version of done) {
    if (!known.has(version)) {
      throw new Error(`the database has migration ${version}, which this build does not know`);
    }
  }
  return all.filter((m) => !done.has(m.version));
}
