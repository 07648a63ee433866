import { Transform, type Readable, type TransformCallback } from 'node:stream';

/**
 * Where attachment bytes live (docs/protocol.md section 11): one interface, the
 * local disk under DATA_DIR (disk-store.ts) or any S3-compatible service
 * (s3-store.ts); both pass one contract suite (test/attachments/store-contract.ts).
 * Metadata (who uploaded what, which message holds it) is the Storage's; this
 * only keeps bytes under keys.
 */
export interface AttachmentStore {
  readonly kind: 'disk' | 's3';
  /**
   * Streams `body` to `key`, replacing what was there. Never holds the whole
   * body in memory. More than `maxBytes` is `too_large` and keeps nothing
   * (neither the new bytes nor, then, a half-written object).
   */
  put(key: string, body: Readable, options: PutOptions): Promise<PutOutcome>;
  /** The object, or the inclusive byte `range` of it; `size` is the whole object's. */
  get(key: string, range?: ByteRange): Promise<GetOutcome>;
  /** Removes the object; an absent one is not an error (deletes are retried and raced). */
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  close(): Promise<void>;
}

export interface PutOptions {
  maxBytes: number;
  contentType?: string | undefined;
}

export type PutOutcome = { status: 'stored'; size: number } | { status: 'too_large' };

/** Inclusive, as in an HTTP Range header; `end` past the object is clamped to its last byte. */
export interface ByteRange {
  start: number;
  end: number;
}

export type GetOutcome =
  | { status: 'found'; body: Readable; size: number; start: number; end: number }
  | { status: 'not_found' }
  /** `start` is at or past the end: HTTP 416. */
  | { status: 'range_not_satisfiable'; size: number };

/** Keys are paths of safe segments: no `..`, no absolute paths, nothing a shell or a URL mangles. */
const KEY = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;

export function assertValidKey(key: string): void {
  if (!KEY.test(key) || key.length > 512) throw new Error(`invalid attachment key: ${JSON.stringify(key)}`);
}

/** Thrown inside a put's pipeline only; put turns it into the `too_large` value. */
export class TooLargeError extends Error {
  override name = 'TooLargeError';
}

/**
 * Passes bytes through, counting them, and fails the stream the moment the
 * count passes `maxBytes`, so an oversized body is refused while it streams
 * (a Content-Length can lie, and chunked bodies carry none).
 */
export class ByteLimit extends Transform {
  bytes = 0;
  constructor(private readonly maxBytes: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      callback(new TooLargeError(`more than ${this.maxBytes} bytes`));
      return;
    }
    callback(null, chunk);
  }
}

/** Clamps a requested range to an object of `size` bytes; null when it starts past the end. */
export function clampRange(range: ByteRange | undefined, size: number): ByteRange | null {
  if (!range) return { start: 0, end: Math.max(0, size - 1) };
  if (range.start >= size || range.start < 0 || range.end < range.start) return null;
  return { start: range.start, end: Math.min(range.end, size - 1) };
}
