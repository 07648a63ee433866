import { join, resolve } from 'node:path';
import type { ServerConfig } from '../config';
import type { AttachmentStore } from './attachment-store';
import { createDiskStore } from './disk-store';
import { createS3Store } from './s3-store';

/** DATA_DIR/attachments unless S3_BUCKET names a bucket (which several processes need). */
export function openAttachmentStore(config: ServerConfig): AttachmentStore {
  if (config.s3Bucket) {
    return createS3Store({
      bucket: config.s3Bucket,
      endpoint: config.s3Endpoint,
      region: config.s3Region,
      accessKeyId: config.s3AccessKeyId,
      secretAccessKey: config.s3SecretAccessKey,
      forcePathStyle: config.s3ForcePathStyle,
    });
  }
  return createDiskStore(join(resolve(config.dataDir), 'attachments'));
}

/** Where an attachment's bytes go: spread over 256 folders by the id's first two hex digits. */
export function attachmentKeys(id: string): { original: string; thumbnail: string } {
  return { original: `${id.slice(0, 2)}/${id}/original`, thumbnail: `${id.slice(0, 2)}/${id}/thumbnail` };
}
