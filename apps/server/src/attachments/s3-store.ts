import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
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

export interface S3StoreOptions {
  bucket: string;
  /** An S3-compatible service's URL; unset: AWS for `region`. */
  endpoint?: string | undefined;
  region: string;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  forcePathStyle: boolean;
  /** Prefix of every key, so one bucket can hold several deployments. */
  prefix?: string;
}

/** lib-storage's smallest part; S3 refuses smaller parts but the last. */
const PART_SIZE = 5 * 1024 * 1024;

/**
 * Bytes in an S3-compatible bucket (AWS, MinIO, a Supabase project's Storage),
 * which every process of a deployment reaches alike. Uploads stream through
 * lib-storage's multipart Upload one part at a time (queueSize 1), so a put
 * holds at most one 5 MiB part in memory whatever the file's size.
 */
export function createS3Store(options: S3StoreOptions): AttachmentStore {
  const client = new S3Client({
    region: options.region,
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle,
    credentials:
      options.accessKeyId && options.secretAccessKey
        ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }
        : undefined,
  });
  const Bucket = options.bucket;
  const keyOf = (key: string) => {
    assertValidKey(key);
    return `${options.prefix ?? ''}${key}`;
  };

  async function head(Key: string): Promise<number | null> {
    try {
      const found = await client.send(new HeadObjectCommand({ Bucket, Key }));
      return found.ContentLength ?? 0;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  return {
    kind: 's3',

    async put(key: string, body: Readable, putOptions: PutOptions): Promise<PutOutcome> {
      const limit = new ByteLimit(putOptions.maxBytes);
      // Errors of the source reach the Upload through the counter, which it reads.
      body.once('error', (error) => limit.destroy(error));
      const upload = new Upload({
        client,
        params: { Bucket, Key: keyOf(key), Body: body.pipe(limit), ContentType: putOptions.contentType },
        queueSize: 1,
        partSize: PART_SIZE,
        leavePartsOnError: false,
      });
      try {
        await upload.done();
        return { status: 'stored', size: limit.bytes };
      } catch (error) {
        if (error instanceof TooLargeError || limit.bytes > putOptions.maxBytes) {
          // A multipart upload is aborted by Upload itself; a single put never completed.
          return { status: 'too_large' };
        }
        throw error;
      } finally {
        body.unpipe(limit);
      }
    },

    async get(key: string, range?: ByteRange): Promise<GetOutcome> {
      const Key = keyOf(key);
      // The size first: S3 answers a range past the end with an error, not a size.
      const size = await head(Key);
      if (size === null) return { status: 'not_found' };
      const span = clampRange(range, size);
      if (!span) return { status: 'range_not_satisfiable', size };
      try {
        const found = await client.send(
          new GetObjectCommand({
            Bucket,
            Key,
            Range: range && size > 0 ? `bytes=${span.start}-${span.end}` : undefined,
          }),
        );
        if (!(found.Body instanceof Readable)) throw new Error('S3 answered without a body stream');
        return { status: 'found', body: found.Body, size, ...span };
      } catch (error) {
        if (isMissing(error)) return { status: 'not_found' };
        throw error;
      }
    },

    async delete(key: string): Promise<void> {
      // S3 deletes are idempotent: an absent key answers 204 too.
      await client.send(new DeleteObjectCommand({ Bucket, Key: keyOf(key) }));
    },

    async exists(key: string): Promise<boolean> {
      return (await head(keyOf(key))) !== null;
    },

    async close(): Promise<void> {
      client.destroy();
    },
  };
}

function isMissing(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.name === 'NotFound' || error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404)
  );
}
