import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const SECRET_BOX_KEY_BYTES = 32;

/**
 * Seals short secrets that the server must read back (an agent's webhook
 * secret, with which deliveries are signed) with AES-256-GCM under the
 * server's key: a copy of the database alone does not reveal them, and a
 * sealed value that was altered does not open. Sealed form:
 * `v1.<iv>.<ciphertext+tag>`, base64url parts.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== SECRET_BOX_KEY_BYTES) {
      throw new Error(`a SecretBox key is ${SECRET_BOX_KEY_BYTES} bytes, not ${key.length}`);
    }
    this.key = Buffer.from(key);
  }

  seal(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return [VERSION, iv.toString('base64url'), body.toString('base64url')].join('.');
  }

  /** Throws when the value was not sealed under this key or was altered. */
  open(sealed: string): string {
    const [version, ivText, bodyText, ...rest] = sealed.split('.');
    if (version !== VERSION || ivText === undefined || bodyText === undefined || rest.length > 0) {
      throw new Error('not a sealed value');
    }
    const iv = Buffer.from(ivText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw new Error('not a sealed value');
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    const plain = Buffer.concat([
      decipher.update(body.subarray(0, body.length - TAG_BYTES)),
      decipher.final(),
    ]);
    return plain.toString('utf8');
  }
}

/**
 * The key of the server's SecretBox when AGENT_SECRET_KEY is unset: generated
 * once and kept beside the data (like the VAPID keys). Several processes must
 * share one key, so with PostgreSQL or Redis AGENT_SECRET_KEY should be set.
 */
export function ensureSecretBoxKey(dataDir: string): Buffer {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'agent-secret-key');
  if (existsSync(file)) {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== SECRET_BOX_KEY_BYTES) {
      throw new Error(`${file} is not a ${SECRET_BOX_KEY_BYTES}-byte base64 key`);
    }
    return key;
  }
  const key = randomBytes(SECRET_BOX_KEY_BYTES);
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600 });
  return key;
}
