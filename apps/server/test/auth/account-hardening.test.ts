import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@chat/testkit';
import { createClient } from '@supabase/supabase-js';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { normalizeDisplayName, displayNameOf } from '../../src/auth/display-name';
import { registerEmbeddedAuth, type EmbeddedAuthDeps } from '../../src/auth/embedded-auth-routes';
import { checkPassword, createPasswordPolicy } from '../../src/auth/password-policy';
import { createSqliteStorage } from '../../src/storage/sqlite/sqlite-storage';
import type { Storage } from '../../src/storage/storage';

const SECRET = 'account-hardening-secret-0123456789abcdef';
const CHEAP_SCRYPT = { N: 1024, r: 8, p: 1 };

let dir: string;
let storage: Storage;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'chat-auth-hardening-'));
  storage = createSqliteStorage({ filename: join(dir, 'chat.db') });
});
afterAll(async () => {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
const uniqueEmail = () => `acct${Date.now()}.${counter++}@example.com`;

async function startAuthServer(overrides: Partial<EmbeddedAuthDeps> = {}) {
  const app = Fastify({ logger: false });
  registerEmbeddedAuth(app, {
    storage,
    jwtSecret: SECRET,
    accessTokenTtlSec: 600,
    signInRateLimit: false,
    refreshRateLimit: false,
    scryptParams: CHEAP_SCRYPT,
    ...overrides,
  });
  // 0.0.0.0: requests come from several loopback addresses (127.0.0.2, 127.0.0.3, ...).
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { app, url: `http://127.0.0.1:${address.port}` };
}

/** A JSON POST from a chosen loopback source address (Linux routes all of 127/8 to lo). */
function postFrom(
  from: string,
  url: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown>; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'POST', localAddress: from, headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
            retryAfter: res.headers['retry-after'],
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('password policy', () => {
  const policy = createPasswordPolicy();

  it('refuses 123456 (length) and password (common), as GoTrue weak_password with its reasons', () => {
    expect(checkPassword(policy, '123456', 'a@example.com')).toMatchObject({
      status: 422,
      errorCode: 'weak_password',
      extra: { reasons: ['length'] },
    });
    expect(checkPassword(policy, 'password', 'a@example.com')).toMatchObject({
      errorCode: 'weak_password',
      extra: { reasons: ['pwned'] },
    });
    expect(checkPassword(policy, 'PassWord123', 'a@example.com')).toMatchObject({
      errorCode: 'weak_password',
    });
  });

  it('refuses the e-mail address, or its local part, as the password', () => {
    expect(checkPassword(policy, 'Grace.Hopper@Navy.mil', 'grace.hopper@navy.mil')).not.toBeNull();
    expect(checkPassword(policy, 'grace.hopper', 'grace.hopper@navy.mil')).not.toBeNull();
    expect(checkPassword(policy, 'cobol compiler 1959', 'grace.hopper@navy.mil')).toBeNull();
  });

  it('takes its minimum length and an extra list from the configuration', () => {
    const file = join(dir, 'blocklist.txt');
    writeFileSync(file, 'Chat-Server-2025\n\n  tr0ub4dor&3  \n');
    const custom = createPasswordPolicy({ minLength: 12, blocklistFile: file });
    expect(checkPassword(custom, 'eleven char', 'a@example.com')).toMatchObject({
      extra: { reasons: ['length'] },
    });
    expect(checkPassword(custom, 'chat-server-2025', 'a@example.com')).toMatchObject({
      extra: { reasons: ['pwned'] },
    });
    expect(checkPassword(custom, 'Tr0ub4dor&3 x', 'a@example.com')).toBeNull();
    expect(checkPassword(custom, 'long enough here', 'a@example.com')).toBeNull();
  });

  it('applies at sign-up through supabase-js', async () => {
    const { app, url } = await startAuthServer();
    try {
      const client = createClient(url, 'anon', {
        auth: { persistSession: false },
        realtime: { transport: WebSocket as never },
      });
      for (const password of ['123456', 'password']) {
        const { error } = await client.auth.signUp({ email: uniqueEmail(), password });
        expect(error).toMatchObject({ status: 422, code: 'weak_password' });
      }
    } finally {
      await app.close();
    }
  });
});

describe('display names', () => {
  it('drop control, bidi-override and zero-width characters, are NFC and trimmed', () => {
    expect(normalizeDisplayName('  Ada\u0007 Love\u202Elace\u200B\u2066 ')).toBe('Ada Lovelace');
    expect(normalizeDisplayName('Zo\u0065\u0301')).toBe('Zo\u00e9');
    expect(normalizeDisplayName('a\u00A0\u00A0b\n\tc')).toBe('a b c');
    expect(normalizeDisplayName('\u200B\u202E\u0000 ')).toBe('');
    // The joiner inside an emoji sequence is what makes it one picture: kept.
    expect(normalizeDisplayName('Dev \u{1F469}\u200D\u{1F4BB}')).toBe('Dev \u{1F469}\u200D\u{1F4BB}');
    expect(normalizeDisplayName('x\u200Dy')).toBe('xy');
  });

  it('fall back to the e-mail when the name is nothing but invisible characters (tokens of other issuers too)', () => {
    expect(displayNameOf({ display_name: '\u202E\u200B' }, 'grace@navy.mil')).toBe('grace');
  });

  it('are stored normalised at sign-up, and an empty one is refused', async () => {
    const { app, url } = await startAuthServer();
    try {
      const client = createClient(url, 'anon', {
        auth: { persistSession: false },
        realtime: { transport: WebSocket as never },
      });
      const { data } = await client.auth.signUp({
        email: uniqueEmail(),
        password: 'a fine password',
        options: { data: { display_name: '\u202Egnp.exe\u202C Grace\u200B' } },
      });
      expect(data.user?.user_metadata).toMatchObject({ display_name: 'gnp.exe Grace' });
      expect(await storage.getUser(data.user!.id)).toMatchObject({ display_name: 'gnp.exe Grace' });
      const empty = await client.auth.signUp({
        email: uniqueEmail(),
        password: 'a fine password',
        options: { data: { display_name: '\u200B\u200B' } },
      });
      expect(empty.error).toMatchObject({ status: 400, code: 'validation_failed' });
    } finally {
      await app.close();
    }
  });
});

describe('password guessing', () => {
  const clock = new ManualClock();
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await startAuthServer({
      clock,
      guessing: { accountFreeFailures: 5, addressFreeFailures: 30, maxDelayMs: 300_000 },
    }));
  });
  afterAll(() => app.close());

  const signIn = (from: string, email: string, password: string) =>
    postFrom(from, `${url}/auth/v1/token?grant_type=password`, { email, password });

  it('a second address gets no fresh guesses at the same account: the account waits a doubling delay', async () => {
    const email = uniqueEmail();
    expect(
      (await postFrom('127.0.0.1', `${url}/auth/v1/signup`, { email, password: 'victim password' })).status,
    ).toBe(200);

    for (let guess = 0; guess < 5; guess++) {
      expect((await signIn('127.0.0.2', email, `guess ${guess}`)).status).toBe(400);
    }
    const fromSecond = await signIn('127.0.0.3', email, 'guess from elsewhere');
    expect(fromSecond).toMatchObject({
      status: 429,
      body: { error_code: 'over_request_rate_limit' },
      retryAfter: '1',
    });

    clock.advance(1000);
    expect((await signIn('127.0.0.3', email, 'one more guess')).status).toBe(400);
    expect((await signIn('127.0.0.4', email, 'and another')).retryAfter).toBe('2');
    clock.advance(2000);
    expect((await signIn('127.0.0.4', email, 'and another')).status).toBe(400);
    expect((await signIn('127.0.0.2', email, 'again')).retryAfter).toBe('4');
  });

  it("the victim's own address is not locked out while the account is being guessed at", async () => {
    const email = uniqueEmail();
    await postFrom('127.0.0.5', `${url}/auth/v1/signup`, { email, password: 'victim password' });
    for (let guess = 0; guess < 12; guess++) await signIn('127.0.0.6', email, `guess ${guess}`);
    expect((await signIn('127.0.0.6', email, 'victim password')).status).toBe(429);

    const victim = await signIn('127.0.0.5', email, 'victim password');
    expect(victim.status).toBe(200);
    expect(victim.body).toHaveProperty('access_token');
  });

  it('an address guessing at many accounts waits a delay too, but never a fixed lock-out', async () => {
    for (let account = 0; account < 30; account++) {
      expect((await signIn('127.0.0.7', uniqueEmail(), 'spray')).status).toBe(400);
    }
    const limited = await signIn('127.0.0.7', uniqueEmail(), 'spray');
    expect(limited).toMatchObject({ status: 429, retryAfter: '1' });
    clock.advance(1000);
    expect((await signIn('127.0.0.7', uniqueEmail(), 'spray')).status).toBe(400);
  });
});

describe('recovery without SMTP', () => {
  it('writes the link to the log for the operator, in a line with recovery_link, and answers {} alike for an unknown e-mail', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const { app, url } = await startAuthServer({ log, mailer: null });
    try {
      const email = uniqueEmail();
      await postFrom('127.0.0.1', `${url}/auth/v1/signup`, { email, password: 'forgot it soon' });
      const known = await postFrom('127.0.0.1', `${url}/auth/v1/recover`, { email });
      expect(known).toMatchObject({ status: 200, body: {} });
      const unknown = await postFrom('127.0.0.1', `${url}/auth/v1/recover`, { email: uniqueEmail() });
      expect(unknown).toMatchObject({ status: 200, body: {} });

      const line = lines.find((entry) => typeof entry['recovery_link'] === 'string');
      expect(line).toBeDefined();
      const link = new URL(line!['recovery_link'] as string);
      expect(link.pathname).toBe('/auth/v1/verify');
      const verified = await fetch(link, { redirect: 'manual' });
      expect(new URL(verified.headers.get('location')!).hash).toContain('access_token=');
      expect(lines.filter((entry) => 'recovery_link' in entry)).toHaveLength(1);

      const tooSoon = await postFrom('127.0.0.1', `${url}/auth/v1/recover`, { email });
      expect(tooSoon).toMatchObject({ status: 429, body: { error_code: 'over_email_send_rate_limit' } });
    } finally {
      await app.close();
    }
  });
});
