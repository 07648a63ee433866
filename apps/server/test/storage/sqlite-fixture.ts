import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStorage, type SqliteStorageOptions } from '../../src/storage/sqlite/sqlite-storage';
import type { Storage } from '../../src/storage/storage';
import type { StorageFixture } from './storage-contract';

/**
 * A store in its own temp dir; `reopen` opens the same file again, as a restart
 * would; `filename` is there for a test's own connection.
 */
export async function makeSqliteStorage(
  options: Omit<SqliteStorageOptions, 'filename'> = {},
): Promise<StorageFixture & { filename: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'chat-sqlite-'));
  const filename = join(dir, 'chat.db');
  const opened: Storage[] = [];
  const open = () => {
    const storage = createSqliteStorage({ ...options, filename });
    opened.push(storage);
    return storage;
  };
  return {
    filename,
    storage: open(),
    reopen: async () => open(),
    cleanup: async () => {
      for (const storage of opened) await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
