import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttachmentStore } from '../../src/attachments/attachment-store';

export interface StoreFixture {
  store: AttachmentStore;
  cleanup(): Promise<void>;
}

/** Chunks of `size` bytes in all, as a request body would arrive. */
function chunks(data: Buffer, chunkSize = 64 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let at = 0; at < data.length; at += chunkSize) yield data.subarray(at, at + chunkSize);
    })(),
  );
}

const key = (name: string) => `test/${randomBytes(6).toString('hex')}/${name}`;

/**
 * The attachment store contract (docs/protocol.md section 11): every rule of
 * the AttachmentStore interface, run against the disk and against a real
 * S3-compatible server, named after the rule.
 */
export function describeAttachmentStoreContract(name: string, open: () => Promise<StoreFixture>): void {
  describe(`attachment store contract: ${name}`, () => {
    let fixture: StoreFixture;
    let store: AttachmentStore;
    beforeAll(async () => {
      fixture = await open();
      store = fixture.store;
    });
    afterAll(() => fixture.cleanup());

    it('put then get returns the same bytes and their size', async () => {
      const data = randomBytes(200_000);
      const k = key('original');
      expect(await store.put(k, chunks(data), { maxBytes: 1_000_000 })).toEqual({
        status: 'stored',
        size: data.length,
      });
      const got = await store.get(k);
      if (got.status !== 'found') throw new Error(got.status);
      expect(got.size).toBe(data.length);
      expect((await buffer(got.body)).equals(data)).toBe(true);
      expect(await store.exists(k)).toBe(true);
    });

    it('a body larger than one multipart part streams through and is stored whole', async () => {
      const data = randomBytes(6 * 1024 * 1024 + 123);
      const k = key('big');
      expect(await store.put(k, chunks(data), { maxBytes: 7 * 1024 * 1024 })).toEqual({
        status: 'stored',
        size: data.length,
      });
      const got = await store.get(k);
      if (got.status !== 'found') throw new Error(got.status);
      expect((await buffer(got.body)).equals(data)).toBe(true);
    });

    it('put: more than maxBytes is too_large and keeps nothing', async () => {
      const k = key('too-big');
      expect(await store.put(k, chunks(randomBytes(100_001)), { maxBytes: 100_000 })).toEqual({
        status: 'too_large',
      });
      expect(await store.exists(k)).toBe(false);
      expect((await store.get(k)).status).toBe('not_found');
    });

    it('put: too_large over a multipart upload keeps nothing either', async () => {
      const k = key('too-big-multipart');
      const outcome = await store.put(k, chunks(randomBytes(6 * 1024 * 1024)), { maxBytes: 5_500_000 });
      expect(outcome).toEqual({ status: 'too_large' });
      expect(await store.exists(k)).toBe(false);
    });

    it('put: exactly maxBytes is stored; an empty body is stored as empty', async () => {
      const exact = key('exact');
      expect(await store.put(exact, chunks(randomBytes(1000)), { maxBytes: 1000 })).toEqual({
        status: 'stored',
        size: 1000,
      });
      const empty = key('empty');
      expect(await store.put(empty, Readable.from([]), { maxBytes: 10 })).toEqual({
        status: 'stored',
        size: 0,
      });
      const got = await store.get(empty);
      if (got.status !== 'found') throw new Error(got.status);
      expect(got.size).toBe(0);
      expect((await buffer(got.body)).length).toBe(0);
    });

    it('put replaces what the key held', async () => {
      const k = key('replaced');
      await store.put(k, chunks(Buffer.from('first version')), { maxBytes: 100 });
      await store.put(k, chunks(Buffer.from('second')), { maxBytes: 100 });
      const got = await store.get(k);
      if (got.status !== 'found') throw new Error(got.status);
      expect((await buffer(got.body)).toString()).toBe('second');
    });

    it('put: a source that fails rejects and keeps nothing', async () => {
      const k = key('failed');
      const failing = Readable.from(
        (async function* () {
          yield Buffer.from('some bytes');
          throw new Error('client went away');
        })(),
      );
      await expect(store.put(k, failing, { maxBytes: 1000 })).rejects.toThrow('client went away');
      expect(await store.exists(k)).toBe(false);
    });

    it('get with a range returns those bytes (inclusive), the whole size, and the range clamped to the end', async () => {
      const data = randomBytes(10_000);
      const k = key('ranged');
      await store.put(k, chunks(data), { maxBytes: 10_000 });
      const middle = await store.get(k, { start: 100, end: 199 });
      if (middle.status !== 'found') throw new Error(middle.status);
      expect(middle).toMatchObject({ size: 10_000, start: 100, end: 199 });
      expect((await buffer(middle.body)).equals(data.subarray(100, 200))).toBe(true);
      const tail = await store.get(k, { start: 9_990, end: 20_000 });
      if (tail.status !== 'found') throw new Error(tail.status);
      expect(tail).toMatchObject({ start: 9_990, end: 9_999 });
      expect((await buffer(tail.body)).equals(data.subarray(9_990))).toBe(true);
    });

    it('get: a range starting past the end is range_not_satisfiable with the size', async () => {
      const k = key('short');
      await store.put(k, chunks(Buffer.from('0123456789')), { maxBytes: 100 });
      expect(await store.get(k, { start: 10, end: 20 })).toEqual({
        status: 'range_not_satisfiable',
        size: 10,
      });
    });

    it('delete removes the object; deleting an absent key is harmless', async () => {
      const k = key('deleted');
      await store.put(k, chunks(Buffer.from('bytes')), { maxBytes: 100 });
      await store.delete(k);
      expect(await store.exists(k)).toBe(false);
      expect((await store.get(k)).status).toBe('not_found');
      await expect(store.delete(k)).resolves.toBeUndefined();
      await expect(store.delete(key('never-there'))).resolves.toBeUndefined();
    });

    it('keys that could escape the store are refused', async () => {
      for (const bad of ['../x', 'a/../../b', '/etc/passwd', 'a//b', '', 'a b']) {
        await expect(store.put(bad, Readable.from([]), { maxBytes: 10 })).rejects.toThrow(
          /invalid attachment key/,
        );
      }
    });
  });
}
