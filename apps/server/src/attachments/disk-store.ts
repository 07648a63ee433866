import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  ByteLimit,
  TooLargeError,
  assertValidKey,
  clampRange,
  type AttachmentStore,
  type ByteRange,
  type GetOutcome,
  type PutOptions,
  type PutOutcome,
} from './attachment-store';

/**
 * Bytes as files under `root` (DATA_DIR/attachments). A put writes a temp file
 * in the same file system, fsyncs it and renames it into place, so a reader or
 * a crash never sees half an object.
 */
export function createDiskStore(root: string): AttachmentStore {
  const tmpDir = join(root, '.tmp');
  const pathOf = (key: string) => {
    assertValidKey(key);
    return join(root, key);
  };

  return {
    kind: 'disk',

    async put(key: string, body: Readable, options: PutOptions): Promise<PutOutcome> {
      const target = pathOf(key);
      await mkdir(tmpDir, { recursive: true });
      const temp = join(tmpDir, randomUUID());
      const limit = new ByteLimit(options.maxBytes);
      try {
        await pipeline(body, limit, createWriteStream(temp, { mode: 0o600 }));
        const handle = await open(temp, 'r');
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
        await mkdir(dirname(target), { recursive: true });
        await rename(temp, target);
        return { status: 'stored', size: limit.bytes };
      } catch (error) {
        await rm(temp, { force: true });
        if (error instanceof TooLargeError) return { status: 'too_large' };
        throw error;
      }
    },

    async get(key: string, range?: ByteRange): Promise<GetOutcome> {
      const path = pathOf(key);
      const size = await fileSize(path);
      if (size === null) return { status: 'not_found' };
      const span = clampRange(range, size);
      if (!span) return { status: 'range_not_satisfiable', size };
      return { status: 'found', body: createReadStream(path, span), size, ...span };
    },

    async delete(key: string): Promise<void> {
      await rm(pathOf(key), { force: true });
    },

    async exists(key: string): Promise<boolean> {
      return (await fileSize(pathOf(key))) !== null;
    },

    async close(): Promise<void> {},
  };
}

async function fileSize(path: string): Promise<number | null> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
