import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ServerConfig } from '../config';
import type { Logger } from '../logger';
import { createPostgresStorage } from './postgres/postgres-storage';
import { createSqliteStorage } from './sqlite/sqlite-storage';
import type { Storage } from './storage';

/** SQLite under DATA_DIR unless DATABASE_URL names a PostgreSQL database. */
export async function openStorage(config: ServerConfig, log: Logger): Promise<Storage> {
  if (config.databaseUrl) {
    return createPostgresStorage({
      connectionString: config.databaseUrl,
      onError: (error) => log.warn({ err: error }, 'idle PostgreSQL connection failed'),
      // A process started before its database waits for it (/readyz says why) instead of exiting.
      waitForDatabase: (error, attempt) => {
        if (attempt === 0 || attempt % 10 === 0) {
          log.warn({ err: error, attempt }, 'PostgreSQL not reachable yet; retrying');
        }
      },
    });
  }
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  return createSqliteStorage({
    filename: join(dataDir, 'chat.db'),
    synchronous: config.sqliteSynchronous,
    onCheckpointFailed: (message) =>
      log.warn(
        { reason: message },
        "WAL checkpoint failed; the writer's own checkpoints keep the WAL bounded",
      ),
  });
}
