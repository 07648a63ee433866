import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import type { ServerConfig } from '../../src/index';

/** s3rver's fixed credentials (it checks signatures with them). */
const ACCESS_KEY = 'S3RVER';

export interface TestS3 {
  endpoint: string;
  bucket: string;
  /** The server settings that put attachments in this bucket. */
  config: Partial<ServerConfig>;
  close(): Promise<void>;
}

/**
 * A real S3-protocol server (s3rver) on a loopback port, its objects in a temp
 * dir, with one bucket. Nothing of S3 is mocked: the AWS SDK signs and sends
 * real requests to it.
 */
export async function startS3(bucket = 'chat-attachments'): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 'chat-s3rver-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    config: {
      s3Bucket: bucket,
      s3Endpoint: endpoint,
      s3Region: 'us-east-1',
      s3AccessKeyId: ACCESS_KEY,
      s3SecretAccessKey: ACCESS_KEY,
      s3ForcePathStyle: true,
    },
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
