import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteDatabase } from '../../src/storage/sqlite/database';
import { createSqliteStorage } from '../../src/storage/sqlite/sqlite-storage';
import type { Storage } from '../../src/storage/storage';
import { makeConversation, makeUsers, newMessage } from './contract/fixture';
import { makeSqliteStorage } from './sqlite-fixture';
import { describeStorageContract } from './storage-contract';

// Issue 13: SQLite's group commits run on a writer thread. The contract suite runs
// against the default (sqlite.test.ts); here, the same contract with sends on the
// caller's thread, and what the thread does with a batch it cannot commit.

describeStorageContract('sqlite, sends on the caller thread', () =>
  makeSqliteStorage({ writerThread: false }),
);

describe('sqlite writer thread', () => {
  let dir: string;
  let storage: Storage;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'chat-sqlite-writer-'));
    storage = createSqliteStorage({ filename: join(dir, 'chat.db') });
  });
  afterEach(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a batch the thread cannot commit is refused whole, nothing of it stored; the next batch commits', async () => {
    const [ada, bob] = await makeUsers(storage, 'ada', 'bob');
    const conversationId = await makeConversation(storage, ada!, [bob!]);
    await storage.appendMessages([newMessage(conversationId, ada!, 'before')]);
    // Another connection (the main thread's here) makes the writer's insert fail, as a full disk would.
    const db = openSqliteDatabase({ filename: join(dir, 'chat.db'), migrate: false });
    db.exec(`CREATE TRIGGER refuse_boom BEFORE INSERT ON messages WHEN NEW.body = 'boom'
             BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`);

    await expect(
      storage.appendMessages([
        newMessage(conversationId, ada!, 'fine'),
        newMessage(conversationId, bob!, 'boom'),
      ]),
    ).rejects.toThrow(/disk on fire/);
    expect(await storage.lastSeq(conversationId)).toBe(1);

    db.exec('DROP TRIGGER refuse_boom');
    db.close();
    const [outcome] = await storage.appendMessages([newMessage(conversationId, bob!, 'after')]);
    expect(outcome).toMatchObject({ status: 'created', message: { seq: 2, body: 'after' } });
  });

  it('appends handed over together commit in the order they were called, and one that cannot commit fails alone', async () => {
    const [ada, bob] = await makeUsers(storage, 'ada', 'bob');
    const conversationId = await makeConversation(storage, ada!, [bob!]);
    const batches = Array.from({ length: 6 }, (_, batch) =>
      [0, 1, 2].map((i) => newMessage(conversationId, ada!, `b${batch}.${i}`)),
    );
    const outcomes = await Promise.all(batches.map((batch) => storage.appendMessages(batch)));
    expect(outcomes.flat().map((o) => (o.status === 'created' ? o.message.seq : o.status))).toEqual(
      Array.from({ length: 18 }, (_, i) => i + 1),
    );

    const db = openSqliteDatabase({ filename: join(dir, 'chat.db'), migrate: false });
    db.exec(`CREATE TRIGGER refuse_boom BEFORE INSERT ON messages WHEN NEW.body = 'boom'
             BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`);
    const settled = await Promise.allSettled([
      storage.appendMessages([newMessage(conversationId, ada!, 'one')]),
      storage.appendMessages([
        newMessage(conversationId, bob!, 'x'),
        newMessage(conversationId, bob!, 'boom'),
      ]),
      storage.appendMessages([newMessage(conversationId, ada!, 'three')]),
    ]);
    db.exec('DROP TRIGGER refuse_boom');
    db.close();
    expect(settled.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const seqs = settled.flatMap((result) =>
      result.status === 'fulfilled'
        ? result.value.map((o) => (o.status === 'created' ? o.message.seq : 0))
        : [],
    );
    expect(seqs).toEqual([19, 20]);
    const page = await storage.messagesBefore(conversationId, undefined, 3);
    expect(page.messages.map((m) => m.body)).toEqual(['b5.2', 'one', 'three']);
  });

  it('reports each new message with its push audience and webhook recipients, read in the same transaction', async () => {
    const [ada, bob, cy] = await makeUsers(storage, 'ada', 'bob', 'cy');
    const conversationId = await makeConversation(storage, ada!, [bob!, cy!], 'Trip');
    const [outcome] = await storage.appendMessages([newMessage(conversationId, ada!, 'hi')]);
    expect(outcome).toMatchObject({
      status: 'created',
      audience: {
        push: {
          title: 'Trip',
          members: expect.arrayContaining([
            expect.objectContaining({ user_id: bob!.id, display_name: 'Bob' }),
          ]),
        },
        webhookAgentIds: [],
      },
    });
  });

  it('serves several open files at once, each its own', async () => {
    const other = createSqliteStorage({ filename: join(dir, 'other.db') });
    try {
      const [ada, bob] = await makeUsers(storage, 'ada', 'bob');
      const [cy, dee] = await makeUsers(other, 'cy', 'dee');
      const here = await makeConversation(storage, ada!, [bob!]);
      const there = await makeConversation(other, cy!, [dee!]);
      await Promise.all([
        storage.appendMessages([newMessage(here, ada!, 'one'), newMessage(here, bob!, 'two')]),
        other.appendMessages([newMessage(there, cy!, 'three')]),
      ]);
      expect(await storage.lastSeq(here)).toBe(2);
      expect(await other.lastSeq(there)).toBe(1);
    } finally {
      await other.close();
    }
  });
});

describe('sqlite checkpointer thread', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'chat-sqlite-checkpointer-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Descriptors this process holds on files of `dir` (every thread shares the table). */
  const openFilesIn = (where: string) =>
    readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`).startsWith(where);
      } catch {
        return false; // closed since listed
      }
    });

  it('copies the WAL back into the file after sends, which the writer alone would not do yet', async () => {
    const problems: string[] = [];
    const storage = createSqliteStorage({
      filename: join(dir, 'chat.db'),
      onCheckpointFailed: (message) => problems.push(message),
    });
    try {
      const [ada, bob] = await makeUsers(storage, 'ada', 'bob');
      const conversationId = await makeConversation(storage, ada!, [bob!]);
      const fileSize = () => statSync(join(dir, 'chat.db')).size;
      const before = fileSize();
      // A few hundred pages of WAL: far below the writer's own automatic checkpoint (10,000).
      for (let i = 0; i < 20; i++) {
        await storage.appendMessages(
          Array.from({ length: 10 }, (_, j) => newMessage(conversationId, ada!, `m${i}.${j}`)),
        );
      }
      await expect.poll(fileSize, { timeout: 5_000 }).toBeGreaterThan(before);
      expect(await storage.lastSeq(conversationId)).toBe(200);
      expect(problems).toEqual([]);
    } finally {
      await storage.close();
    }
  });

  /**
   * Sends without a pause, several in flight: the writer always has the next
   * batch, so sends commit during every checkpoint and the WAL is never all
   * copied back when a transaction begins. Returns the WAL file's size (its
   * high-water mark: SQLite reuses the file from its start, never shrinks it).
   */
  async function steadySends(filename: string, walRestartPages: number, batches: number | null) {
    const problems: string[] = [];
    const storage = createSqliteStorage({
      filename,
      walRestartPages,
      onCheckpointFailed: (message) => problems.push(message),
    });
    try {
      const users = await makeUsers(storage, 'ada', 'bob', 'cy', 'dee');
      const [ada] = users;
      const conversations = await Promise.all(
        users.slice(1).map((other) => makeConversation(storage, ada!, [other!])),
      );
      // Until the checkpointer has had many turns (100 ms each), or as many batches as asked.
      const started = Date.now();
      let sent = 0;
      while (batches === null ? sent < 100 || Date.now() - started < 1_500 : sent < batches) {
        await Promise.all(
          Array.from({ length: 4 }, (_, k) =>
            storage.appendMessages(
              conversations.map((id, c) => newMessage(id, ada!, `m${sent}.${k}.${c} ${'x'.repeat(200)}`)),
            ),
          ),
        );
        sent++;
      }
      expect(await storage.lastSeq(conversations[0]!)).toBe(sent * 4);
      expect(problems).toEqual([]);
      // The WAL header's checkpoint sequence number (bytes 12-15) counts the times it started over.
      const wal = readFileSync(`${filename}-wal`);
      return { batches: sent, walBytes: wal.length, walRestarts: wal.readUInt32BE(12) };
    } finally {
      await storage.close();
    }
  }

  it('starts the WAL over under steady sends once it is past walRestartPages, which the checkpointer alone never lets happen', async () => {
    const restarting = await steadySends(join(dir, 'restarting.db'), 32, null);
    const growing = await steadySends(join(dir, 'growing.db'), 1_000_000_000, restarting.batches);
    // Without the restart the WAL holds every page written, until the automatic checkpoint.
    expect(growing.walBytes).toBeGreaterThan(1_000_000);
    // Counted in the WAL's header: sizes are no proof, since the file keeps its largest size
    // and how soon it first starts over depends on the checkpointer thread's turns (100 ms)
    // on a busy machine (a clean-clone CI run: 20.9 MB against 41.4 MB; 10-11 MB on a quiet
    // one). Here 8 against 2 on 2026-12-03 (the other's 2 at its automatic checkpoint).
    expect(restarting.walRestarts).toBeGreaterThan(growing.walRestarts);
  });

  it('lets go of the file when the storage closes: no connection of either thread is left', async () => {
    const storage = createSqliteStorage({ filename: join(dir, 'chat.db') });
    const [ada, bob] = await makeUsers(storage, 'ada', 'bob');
    const conversationId = await makeConversation(storage, ada!, [bob!]);
    await storage.appendMessages([newMessage(conversationId, ada!, 'hello')]);
    expect(openFilesIn(dir).length).toBeGreaterThan(0);
    await storage.close();
    expect(openFilesIn(dir)).toEqual([]);
  });
});
