import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pendingMigrations, readMigrations } from '../../src/storage/migrations';
import { openSqliteDatabase } from '../../src/storage/sqlite/database';
import { SQLITE_MIGRATIONS_DIR } from '../../src/storage/sqlite/migrate';
import { createSqliteStorage } from '../../src/storage/sqlite/sqlite-storage';
import { makeSqliteStorage } from './sqlite-fixture';
import { describeStorageContract } from './storage-contract';

describeStorageContract('sqlite', () => makeSqliteStorage());

describe('sqlite specifics', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'chat-sqlite-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens in WAL mode with foreign keys on, synchronous FULL unless NORMAL is asked for', () => {
    const db = openSqliteDatabase({ filename: join(dir, 'a.db') });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    db.close();
    const fast = openSqliteDatabase({ filename: join(dir, 'b.db'), synchronous: 'NORMAL' });
    expect(fast.pragma('synchronous', { simple: true })).toBe(1);
    fast.close();
  });

  it('migrations: each runs once and is recorded; reopening applies nothing', () => {
    const filename = join(dir, 'm.db');
    openSqliteDatabase({ filename }).close();
    const db = openSqliteDatabase({ filename });
    const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
    expect(versions).toEqual(readMigrations(SQLITE_MIGRATIONS_DIR).map((m) => m.version));
    expect(versions).toContain('001_init');
    db.close();
  });

  it('migrations: files run in name order, other files are ignored, an unknown applied version throws', () => {
    const folder = join(dir, 'migrations');
    mkdirSync(folder);
    writeFileSync(join(folder, '002_second.sql'), 'SELECT 2;');
    writeFileSync(join(folder, '001_first.sql'), 'SELECT 1;');
    writeFileSync(join(folder, 'README.md'), 'not a migration');
    const all = readMigrations(pathToFileURL(`${folder}/`));
    expect(all).toEqual([
      { version: '001_first', sql: 'SELECT 1;' },
      { version: '002_second', sql: 'SELECT 2;' },
    ]);
    expect(pendingMigrations(all, ['001_first']).map((m) => m.version)).toEqual(['002_second']);
    expect(() => pendingMigrations(all, ['003_from_the_future'])).toThrow(/003_from_the_future/);
  });

  it('searchUsers folds non-ASCII case too', async () => {
    const storage = createSqliteStorage({ filename: join(dir, 's.db') });
    const emile = await storage.ensureUser({
      id: randomUUID(),
      email: 'e@example.com',
      display_name: 'Émile Zola',
    });
    expect(await storage.searchUsers('éM', randomUUID(), 20)).toEqual([emile]);
    expect(await storage.searchUsers('ZOL', randomUUID(), 20)).toEqual([emile]);
    await storage.close();
  });

  it('close: further calls reject and a second close is harmless', async () => {
    const storage = createSqliteStorage({ filename: join(dir, 'c.db') });
    await storage.close();
    await expect(storage.close()).resolves.toBeUndefined();
    await expect(storage.ping()).rejects.toThrow();
  });
});
