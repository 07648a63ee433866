import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger';
import { createMetrics, type Metrics } from '../../src/metrics';
import { MAX_BATCH, SendQueue } from '../../src/realtime/send-queue';
import { createSqliteStorage } from '../../src/storage/sqlite/sqlite-storage';
import type { AppendOutcome, NewMessage, Storage } from '../../src/storage/storage';
import { makeConversation, makeUsers, newMessage } from '../storage/contract/fixture';

/**
 * The group commit on a real SQLite store. `gate` holds a batch's transaction
 * open until released, to look at the queue while a commit is under way;
 * `failNext` makes the next commit throw, as a storage outage would.
 */
function gatedStorage(storage: Storage) {
  const batches: number[] = [];
  let gate: Promise<void> | null = null;
  let open: (() => void) | null = null;
  let failNext = false;
  const wrapped: Storage = Object.create(storage) as Storage;
  wrapped.appendMessages = async (batch: NewMessage[]) => {
    batches.push(batch.length);
    if (gate) await gate;
    if (failNext) {
      failNext = false;
      throw new Error('storage unavailable');
    }
    return storage.appendMessages(batch);
  };
  return {
    storage: wrapped,
    batches,
    hold: () => (gate = new Promise((resolve) => (open = resolve))),
    release: () => {
      gate = null;
      open?.();
    },
    failNextCommit: () => (failNext = true),
  };
}

describe('SendQueue', () => {
  let dir: string;
  let storage: Storage;
  let metrics: Metrics;
  let conversationId: string;
  let sender: Awaited<ReturnType<typeof makeUsers>>[number];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'chat-queue-'));
    storage = createSqliteStorage({ filename: join(dir, 'chat.db'), synchronous: 'NORMAL' });
    const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
    sender = ann!;
    conversationId = await makeConversation(storage, ann!, [bob!]);
    metrics = createMetrics();
  });
  afterEach(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const queueOver = (store: Storage) =>
    new SendQueue({ storage: store, metrics, log: createLogger('silent') });

  it('commits every send of one event-loop turn in one transaction, outcomes in arrival order', async () => {
    const gated = gatedStorage(storage);
    const queue = queueOver(gated.storage);
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, (_, i) => queue.enqueue(newMessage(conversationId, sender, `m${i}`))),
    );
    expect(gated.batches).toEqual([5]);
    expect(outcomes.map((o) => (o.status === 'created' ? o.message.seq : o.status))).toEqual([1, 2, 3, 4, 5]);
  });

  it('times each group commit, a failed one too, in chat_commit_seconds', async () => {
    const gated = gatedStorage(storage);
    const queue = queueOver(gated.storage);
    await Promise.all([1, 2, 3].map((i) => queue.enqueue(newMessage(conversationId, sender, `t${i}`))));
    gated.failNextCommit();
    await queue.enqueue(newMessage(conversationId, sender, 'fails'));
    const [timing] = (await metrics.commitSeconds.get()).values.filter(
      (value) => value.metricName === 'chat_commit_seconds_count',
    );
    expect(timing?.value).toBe(2);
    expect(gated.batches).toEqual([3, 1]);
  });

  it('sends arriving during a commit form the next batch, committed after it', async () => {
    const gated = gatedStorage(storage);
    const queue = queueOver(gated.storage);
    gated.hold();
    const first = queue.enqueue(newMessage(conversationId, sender, 'first'));
    await new Promise((resolve) => setImmediate(resolve));
    const later = [1, 2, 3].map((i) => queue.enqueue(newMessage(conversationId, sender, `later ${i}`)));
    gated.release();
    const seqs = (await Promise.all([first, ...later])).map((o) =>
      o.status === 'created' ? o.message.seq : 0,
    );
    expect(gated.batches).toEqual([1, 3]);
    expect(seqs).toEqual([1, 2, 3, 4]);
  });

  it('answers no send before its transaction committed', async () => {
    const gated = gatedStorage(storage);
    const queue = queueOver(gated.storage);
    gated.hold();
    let answered = false;
    const outcome = queue.enqueue(newMessage(conversationId, sender)).then((o) => {
      answered = true;
      return o;
    });
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(gated.batches).toEqual([1]);
    expect(answered).toBe(false);
    expect(await storage.lastSeq(conversationId)).toBe(0);
    gated.release();
    expect((await outcome).status).toBe('created');
    expect(await storage.lastSeq(conversationId)).toBe(1);
  });

  it('a failing commit answers every send of its batch internal and stores none; the next batch goes on', async () => {
    const gated = gatedStorage(storage);
    const queue = queueOver(gated.storage);
    gated.failNextCommit();
    const failed = await Promise.all(
      [1, 2].map((i) => queue.enqueue(newMessage(conversationId, sender, `f${i}`))),
    );
    expect(failed).toEqual([
      expect.objectContaining({ status: 'rejected', code: 'internal' }),
      expect.objectContaining({ status: 'rejected', code: 'internal' }),
    ]);
    expect(await storage.lastSeq(conversationId)).toBe(0);
    const next = await queue.enqueue(newMessage(conversationId, sender, 'after'));
    expect(next).toMatchObject({ status: 'created', message: { seq: 1 } });
  });

  it('a refused send does not fail the others of its batch', async () => {
    const queue = queueOver(storage);
    const outcomes = await Promise.all([
      queue.enqueue(newMessage(conversationId, sender, 'ok')),
      queue.enqueue(newMessage(conversationId, sender, 'nul \u0000')),
      queue.enqueue(newMessage(conversationId, sender, 'ok too')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['created', 'rejected', 'created']);
  });

  it(`bounds a transaction at ${MAX_BATCH} sends`, async () => {
    const gated = gatedStorage(storage);
    const queue = queueOver(gated.storage);
    const count = MAX_BATCH + 10;
    await Promise.all(
      Array.from({ length: count }, (_, i) => queue.enqueue(newMessage(conversationId, sender, `m${i}`))),
    );
    expect(gated.batches).toEqual([MAX_BATCH, 10]);
  });

  it('with a writer that commits in order, batches are handed over while one commits, up to the depth, the next waits, and seqs follow arrival', async () => {
    const gated = gatedStorage(storage);
    const depth = storage.appendPipelineDepth ?? 1;
    expect(depth).toBeGreaterThan(1);
    const queue = queueOver(gated.storage);
    gated.hold();
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    const sent: Array<Promise<AppendOutcome>> = [];
    // One batch per turn, of 1, 2, ... sends: depth of them handed over, one more queued.
    for (let batch = 1; batch <= depth + 1; batch++) {
      for (let i = 0; i < batch; i++)
        sent.push(queue.enqueue(newMessage(conversationId, sender, `${batch}.${i}`)));
      await turn();
    }
    await turn();
    const sizes = Array.from({ length: depth }, (_, index) => index + 1);
    expect(gated.batches).toEqual(sizes);
    let drained = false;
    void queue.drain().then(() => (drained = true));
    gated.release();
    const seqs = (await Promise.all(sent)).map((o) => (o.status === 'created' ? o.message.seq : 0));
    expect(gated.batches).toEqual([...sizes, depth + 1]);
    expect(seqs).toEqual(Array.from({ length: sent.length }, (_, index) => index + 1));
    await turn();
    expect(drained).toBe(true);
  });

  it('with storage of depth 1, one batch at a time', async () => {
    const gated = gatedStorage(storage);
    const serial: Storage = Object.create(gated.storage) as Storage;
    Object.defineProperty(serial, 'appendPipelineDepth', { value: 1 });
    const queue = queueOver(serial);
    gated.hold();
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    const first = queue.enqueue(newMessage(conversationId, sender, 'a'));
    await turn();
    const later = [1, 2].map((i) => queue.enqueue(newMessage(conversationId, sender, `b${i}`)));
    await turn();
    await turn();
    expect(gated.batches).toEqual([1]);
    gated.release();
    await Promise.all([first, ...later]);
    expect(gated.batches).toEqual([1, 2]);
  });

  it('drain resolves once everything enqueued is answered', async () => {
    const queue = queueOver(storage);
    let answered = 0;
    for (let i = 0; i < 3; i++) void queue.enqueue(newMessage(conversationId, sender)).then(() => answered++);
    await queue.drain();
    expect(answered).toBe(3);
  });
});
