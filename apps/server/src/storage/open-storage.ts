import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ServerConfig } from '../config';
import { createPostgresStorage } from './postgres/postgres-storage';
import { createSqliteStorage } from './sqlite/sqlite-storage';
import type { Storage } from './storage';

/** SQLite under DATA_DIR unless DATABASE_URL names a PostgreSQL database. */
export async function openStorage(config: ServerConfig): Promise<Storage> {
  if (config.databaseUrl) return createPostgresStorage({ connectionString: config.databaseUrl });
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  return createSqliteStorage({ filename: join(dataDir, 'chat.db'), synchronous: config.sqliteSynchronous });
}
