import { createHash } from 'node:crypto';
import type pg from 'pg';
import { SCHEMA_MIGRATIONS_DDL, pendingMigrations, readMigrations } from '../migrations';
import { watchCheckedOut } from './database';

/** The PostgreSQL schema's migration files. */
export const POSTGRES_MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

/**
 * Brings the schema up to date and returns the versions it applied. Runs under a
 * session advisory lock keyed by the schema's name, so two processes starting
 * together apply each migration exactly once (the second waits, then finds
 * nothing to do) while other schemas of the database are not held up. Each
 * migration commits with its `schema_migrations` row.
 *
 * `schema`: created when missing (the pool's search_path names it). Without it,
 * the connection's current schema is migrated.
 */
export async function migratePostgres(
  pool: pg.Pool,
  schema: string | undefined,
  dir: URL = POSTGRES_MIGRATIONS_DIR,
): Promise<string[]> {
  const migrations = readMigrations(dir);
  const client = await pool.connect();
  let broken: Error | undefined;
  const detach = watchCheckedOut(client, (error) => (broken = error));
  try {
    const target = schema ?? (await currentSchema(client));
    const key = advisoryKey(`chat-migrations:${target}`);
    await client.query('SELECT pg_advisory_lock($1::bigint)', [key]);
    try {
      if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(SCHEMA_MIGRATIONS_DDL);
      const applied = await client.query<{ version: string }>('SELECT version FROM schema_migrations');
      const pending = pendingMigrations(
        migrations,
        applied.rows.map((row) => row.version),
      );
      for (const migration of pending) {
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [
            migration.version,
            new Date().toISOString(),
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${migration.version} failed: ${(error as Error).message}`, {
            cause: error,
          });
        }
      }
      return pending.map((m) => m.version);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
    }
  } catch (error) {
    // A connection in an unknown state (lock held, transaction open) is not reused.
    broken = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    detach();
    client.release(broken);
  }
}

async function currentSchema(client: pg.PoolClient): Promise<string> {
  const result = await client.query<{ schema: string | null }>('SELECT current_schema() AS schema');
  const schema = result.rows[0]?.schema;
  if (!schema) throw new Error('no schema to migrate: the search_path names none that exists');
  return schema;
}

/** A signed 64-bit advisory lock key (as a decimal string) derived from `name`. */
function advisoryKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}
