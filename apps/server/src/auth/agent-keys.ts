import { createHash, randomBytes } from 'node:crypto';
import { AGENT_KEY_PREFIX, WEBHOOK_SECRET_PREFIX, type User } from '@chat/protocol';
import type { Storage } from '../storage/storage';

/**
 * An agent's secrets (docs/protocol.md section 14). The API key is a bearer
 * secret: only its sha256 is stored, so a database dump signs no one in, and a
 * key is looked up by that hash (32 random bytes need no slow hash: nothing to
 * guess). The webhook secret is the Standard Webhooks `whsec_` + base64 form;
 * it is sealed, not hashed (auth/secret-box.ts), because deliveries are signed
 * with it.
 */

/** `chat_ak_` + 32 random bytes in base64url. */
export function newAgentKey(): string {
  return `${AGENT_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** `whsec_` + 24 random bytes in base64 (Standard Webhooks' format). */
export function newWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(24).toString('base64')}`;
}

/** What storage keeps of a key: its sha256 in hex. */
export function hashAgentKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Whether a bearer credential is an agent's key rather than an access token. */
export function isAgentKey(credential: string): boolean {
  return credential.startsWith(AGENT_KEY_PREFIX);
}

/** The agent a key signs in as; null for an unknown, replaced or deleted key. */
export function agentOfKey(storage: Pick<Storage, 'agentUserByKeyHash'>, key: string): Promise<User | null> {
  if (!isAgentKey(key)) return Promise.resolve(null);
  return storage.agentUserByKeyHash(hashAgentKey(key));
}
