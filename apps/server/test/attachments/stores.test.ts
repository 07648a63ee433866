import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDiskStore } from '../../src/attachments/disk-store';
import { createS3Store } from '../../src/attachments/s3-store';
import { startS3 } from '../support/s3';
import { describeAttachmentStoreContract } from './store-contract';

describeAttachmentStoreContract('disk', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chat-attachments-'));
  return {
    store: createDiskStore(dir),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describeAttachmentStoreContract('S3 (s3rver on loopback)', async () => {
  const s3 = await startS3();
  const store = createS3Store({
    bucket: s3.bucket,
    endpoint: s3.endpoint,
    region: 'us-east-1',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    forcePathStyle: true,
  });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await s3.close();
    },
  };
});
