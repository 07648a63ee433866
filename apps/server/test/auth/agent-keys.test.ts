import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENT_KEY_PREFIX, WEBHOOK_SECRET_PREFIX } from '@chat/protocol';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashAgentKey, isAgentKey, newAgentKey, newWebhookSecret } from '../../src/auth/agent-keys';
import { SecretBox, ensureSecretBoxKey } from '../../src/auth/secret-box';
import { ConfigError, loadConfigFromEnv } from '../../src/config';

describe('agent keys (section 14)', () => {
  it('agent keys: chat_ak_ and 32 random bytes in base64url, each new', () => {
    const key = newAgentKey();
    expect(key.startsWith(AGENT_KEY_PREFIX)).toBe(true);
    expect(Buffer.from(key.slice(AGENT_KEY_PREFIX.length), 'base64url')).toHaveLength(32);
    expect(key.slice(AGENT_KEY_PREFIX.length)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newAgentKey()).not.toBe(key);
    expect(isAgentKey(key)).toBe(true);
    expect(isAgentKey('eyJhbGciOiJIUzI1NiJ9.e30.x')).toBe(false);
  });

  it('agent keys: what is stored is the sha256 of the key in hex', () => {
    const key = newAgentKey();
    expect(hashAgentKey(key)).toBe(createHash('sha256').update(key).digest('hex'));
    expect(hashAgentKey(key)).not.toContain(key.slice(AGENT_KEY_PREFIX.length));
  });

  it('webhook secrets: whsec_ and base64 of 24 random bytes, which the standardwebhooks library signs and verifies with', () => {
    const secret = newWebhookSecret();
    expect(secret.startsWith(WEBHOOK_SECRET_PREFIX)).toBe(true);
    expect(Buffer.from(secret.slice(WEBHOOK_SECRET_PREFIX.length), 'base64')).toHaveLength(24);
    const webhook = new Webhook(secret);
    const payload = JSON.stringify({ type: 'message' });
    const timestamp = new Date();
    const signature = webhook.sign('msg_1', timestamp, payload);
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': signature,
    };
    expect(webhook.verify(payload, headers)).toEqual({ type: 'message' });
  });
});

describe('SecretBox (AES-256-GCM under the server key)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'chat-secret-box-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('secret box: a sealed value opens to what was sealed, and never shows it', () => {
    const box = new SecretBox(randomBytes(32));
    const secret = newWebhookSecret();
    const sealed = box.seal(secret);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(secret.slice(WEBHOOK_SECRET_PREFIX.length));
    expect(box.open(sealed)).toBe(secret);
    // A fresh IV each time: the same secret seals differently.
    expect(box.seal(secret)).not.toBe(sealed);
  });

  it('secret box: an altered value or another key does not open', () => {
    const box = new SecretBox(randomBytes(32));
    const sealed = box.seal('whsec_abc');
    const [version, iv, body] = sealed.split('.') as [string, string, string];
    const flipped = Buffer.from(body, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => box.open([version, iv, flipped.toString('base64url')].join('.'))).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow();
    expect(() => box.open('not sealed')).toThrow('not a sealed value');
    expect(() => new SecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });

  it('secret box: without AGENT_SECRET_KEY the key is made once in DATA_DIR (owner-only) and kept', () => {
    const key = ensureSecretBoxKey(dir);
    expect(key).toHaveLength(32);
    const file = join(dir, 'agent-secret-key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(ensureSecretBoxKey(dir).equals(key)).toBe(true);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64').equals(key)).toBe(true);
    writeFileSync(file, 'short\n');
    expect(() => ensureSecretBoxKey(dir)).toThrow(/32-byte/);
  });

  it('secret box: AGENT_SECRET_KEY must be 32 bytes of base64', () => {
    const key = randomBytes(32).toString('base64');
    expect(loadConfigFromEnv({ AGENT_SECRET_KEY: key }).agentSecretKey).toBe(key);
    expect(() => loadConfigFromEnv({ AGENT_SECRET_KEY: randomBytes(16).toString('base64') })).toThrow(
      ConfigError,
    );
    expect(() => loadConfigFromEnv({ AGENT_SECRET_KEY: 'not base64 at all!' })).toThrow(/AGENT_SECRET_KEY/);
  });
});
