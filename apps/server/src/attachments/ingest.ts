import { Readable } from 'node:stream';
import sharp, { type OutputInfo } from 'sharp';
import type { AttachmentStore } from './attachment-store';
import { SNIFF_BYTES, detectType, isRasterImage, type RasterImageType } from './detect-type';

/** Longest side of a thumbnail (section 11). */
export const THUMBNAIL_MAX_PX = 512;

export interface IngestInput {
  body: Readable;
  maxBytes: number;
  store: AttachmentStore;
  keys: { original: string; thumbnail: string };
}

export type IngestOutcome =
  | {
      status: 'stored';
      mime_type: string;
      size: number;
      width: number | null;
      height: number | null;
      /** Whether a thumbnail was stored under keys.thumbnail. */
      thumbnail: boolean;
    }
  | { status: 'too_large' }
  /** The bytes say PNG/JPEG/GIF/WebP but do not decode. */
  | { status: 'unreadable_image' };

/**
 * One upload into the store. The type is decided from the first bytes; any
 * file but the four raster image types streams straight through to the store
 * (never whole in memory). An image is read whole (at most maxBytes) because
 * decoding needs it: sharp re-encodes it without its metadata (EXIF, GPS, XMP,
 * ICC comments), turned upright first by its EXIF orientation, and that
 * stripped image is what is stored, with a thumbnail. Nothing is left in the
 * store when the outcome is not `stored`.
 */
export async function ingest(input: IngestInput): Promise<IngestOutcome> {
  const source = input.body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head = await readHead(source, input.maxBytes);
  if (head === 'too_large') return { status: 'too_large' };
  const mime = await detectType(head.bytes);
  const rest = Readable.from(concat(head.bytes, head.done ? null : source));
  if (isRasterImage(mime)) return ingestImage(input, mime, rest);
  const put = await input.store.put(input.keys.original, rest, {
    maxBytes: input.maxBytes,
    contentType: mime,
  });
  if (put.status === 'too_large') return put;
  return { status: 'stored', mime_type: mime, size: put.size, width: null, height: null, thumbnail: false };
}

async function ingestImage(
  input: IngestInput,
  mime: RasterImageType,
  body: Readable,
): Promise<IngestOutcome> {
  const original = await readAll(body, input.maxBytes);
  if (original === 'too_large') return { status: 'too_large' };
  const format = FORMATS[mime];
  let stripped: { data: Buffer; info: OutputInfo };
  let thumbnail: Buffer;
  let pageHeight: number | undefined;
  try {
    const animated = mime === 'image/gif' || mime === 'image/webp';
    const meta = await sharp(original, { animated }).metadata();
    pageHeight = (meta.pages ?? 1) > 1 ? meta.pageHeight : undefined;
    // Multi-frame images have no EXIF orientation to apply (and sharp cannot rotate them).
    const upright = pageHeight === undefined ? sharp(original).rotate() : sharp(original, { animated });
    // No withMetadata(): sharp writes none of the input's metadata unless asked.
    stripped = await upright.toFormat(format, QUALITY[format]).toBuffer({ resolveWithObject: true });
    thumbnail = await sharp(stripped.data, { animated })
      .resize(THUMBNAIL_MAX_PX, THUMBNAIL_MAX_PX, { fit: 'inside', withoutEnlargement: true })
      .toFormat(format, QUALITY[format])
      .toBuffer();
  } catch (error) {
    // The signature said image but libvips cannot decode it (truncated, corrupt, a decoy
    // header, over its pixel limit): the uploader's file is at fault, and nothing was stored.
    if (error instanceof Error) return { status: 'unreadable_image' };
    throw error;
  }
  const limit = Number.MAX_SAFE_INTEGER;
  await input.store.put(input.keys.original, Readable.from([stripped.data]), {
    maxBytes: limit,
    contentType: mime,
  });
  try {
    await input.store.put(input.keys.thumbnail, Readable.from([thumbnail]), {
      maxBytes: limit,
      contentType: mime,
    });
  } catch (error) {
    await input.store.delete(input.keys.original);
    throw error;
  }
  return {
    status: 'stored',
    mime_type: mime,
    size: stripped.data.length,
    width: stripped.info.width,
    height: pageHeight ?? stripped.info.height,
    thumbnail: true,
  };
}

const FORMATS = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
} as const;
const QUALITY: Record<(typeof FORMATS)[RasterImageType], object> = {
  png: {},
  gif: {},
  jpeg: { quality: 90 },
  webp: { quality: 90 },
};

/** The first SNIFF_BYTES (or all, when shorter); `done` when the body ended within them. */
async function readHead(
  source: AsyncIterator<Buffer>,
  maxBytes: number,
): Promise<{ bytes: Buffer; done: boolean } | 'too_large'> {
  const chunks: Buffer[] = [];
  let length = 0;
  while (length < SNIFF_BYTES) {
    const next = await source.next();
    if (next.done) return { bytes: Buffer.concat(chunks), done: true };
    chunks.push(next.value);
    length += next.value.length;
    if (length > maxBytes) {
      await source.return?.();
      return 'too_large';
    }
  }
  return { bytes: Buffer.concat(chunks), done: false };
}

async function* concat(head: Buffer, rest: AsyncIterator<Buffer> | null): AsyncGenerator<Buffer> {
  if (head.length > 0) yield head;
  if (!rest) return;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield next.value;
  }
}

async function readAll(body: Readable, maxBytes: number): Promise<Buffer | 'too_large'> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > maxBytes) {
      body.destroy();
      return 'too_large';
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
