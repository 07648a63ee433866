import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type Variant = 'original' | 'thumbnail';

/**
 * The signed paths of section 11. A signature is an HMAC of the attachment id
 * and variant under a key derived from the server's secret, so every process
 * of a deployment that shares JWT_SECRET accepts the others' URLs. It carries
 * no expiry: the paths are stored in messages that history shows years later,
 * and an `<img src>` cannot re-sign; what ends a URL is the attachment's
 * deletion (unsend, the 24 h sweep), after which it is 404 for everyone.
 */
export class UrlSigner {
  private readonly key: Buffer;

  constructor(secret: string) {
    // A key of its own: a URL's signature must never be usable as, or reveal, a token signature.
    this.key = createHmac('sha256', secret).update('chat attachment urls v1').digest();
  }

  path(id: string, variant: Variant): string {
    const base = variant === 'original' ? `/api/attachments/${id}` : `/api/attachments/${id}/thumbnail`;
    return `${base}?sig=${this.signature(id, variant)}`;
  }

  verify(id: string, variant: Variant, signature: unknown): boolean {
    if (typeof signature !== 'string') return false;
    const expected = Buffer.from(this.signature(id, variant));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private signature(id: string, variant: Variant): string {
    return createHmac('sha256', this.key).update(`${id}\n${variant}`).digest('base64url');
  }
}

/**
 * The secret URLs are signed with when the server has no JWT secret (a
 * Supabase project verified by JWKS alone): generated once and kept in
 * DATA_DIR. Several such processes need one DATA_DIR file in common, or
 * SUPABASE_JWT_SECRET, to accept each other's URLs.
 */
export function ensureUrlSecret(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'attachment-url-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
