import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';

/**
 * Issue 11, web hardening: every answer of the real server, over real HTTP, carries a strict
 * Content-Security-Policy and the other browser defences; API and auth answers are never stored.
 */

type Headers = Record<string, string | string[] | undefined>;

let dir: string;
let harness: TestServer;

/** A raw request, so the test can send a Host header of its choosing. */
function send(
  baseUrl: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
) {
  return new Promise<{ status: number; headers: Headers; body: string }>((resolve, reject) => {
    const req = request(
      new URL(path, baseUrl),
      { method: options.method ?? 'GET', headers: options.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The policy as directive → sources, failing when a directive appears twice. */
function policyOf(headers: Headers): Map<string, string[]> {
  const header = headers['content-security-policy'];
  expect(typeof header, 'one Content-Security-Policy header').toBe('string');
  const policy = new Map<string, string[]>();
  for (const part of String(header).split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/u);
    if (!name) continue;
    expect(policy.has(name), `${name} once`).toBe(false);
    policy.set(name, sources);
  }
  return policy;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'chat-web-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="/assets/a.js"></script>');
  writeFileSync(join(dir, 'assets', 'index-Ab12Cd34.js'), 'console.log(1)');
  harness = await startTestServer({ webDistDir: dir });
});
afterAll(async () => {
  await harness.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('security headers', () => {
  it('the app page: scripts only from the app itself, no inline script, no eval, no framing', async () => {
    const page = await send(harness.server.url, '/');
    expect(page.status).toBe(200);
    const policy = policyOf(page.headers);
    expect(policy.get('default-src')).toEqual(["'self'"]);
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('script-src-attr')).toEqual(["'none'"]);
    expect(policy.get('style-src')).toEqual(["'self'"]);
    expect(policy.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    // Plain HTTP on localhost must keep working: nothing rewrites requests to https.
    expect(policy.has('upgrade-insecure-requests')).toBe(false);
    expect(String(page.headers['content-security-policy'])).not.toMatch(/unsafe-(inline|eval)|\*/u);
  });

  it('connect-src: the app origin and its WebSocket, nothing else without SUPABASE_URL', async () => {
    const page = await send(harness.server.url, '/');
    const host = new URL(harness.server.url).host;
    expect(policyOf(page.headers).get('connect-src')).toEqual(["'self'", `ws://${host}`, `wss://${host}`]);
  });

  it('a Host header that is not a host name is kept out of the policy', async () => {
    const page = await send(harness.server.url, '/', {
      headers: { host: "evil.example script-src 'unsafe-inline'" },
    });
    const header = String(page.headers['content-security-policy']);
    expect(header).not.toContain('evil');
    expect(header).not.toContain('unsafe-inline');
    expect(policyOf(page.headers).get('connect-src')).toEqual(["'self'"]);
  });

  it('the other defences: nosniff, no referrer across origins, no framing for old browsers', async () => {
    for (const path of ['/', '/assets/index-Ab12Cd34.js', '/api/config', '/healthz']) {
      const { headers } = await send(harness.server.url, path);
      expect(headers['x-content-type-options'], path).toBe('nosniff');
      expect(headers['referrer-policy'], path).toBe('same-origin');
      expect(headers['x-frame-options'], path).toBe('DENY');
      expect(headers['content-security-policy'], path).toBeDefined();
      expect(headers['cross-origin-opener-policy'], path).toBe('same-origin');
    }
  });

  it('API and auth answers are no-store, successes and errors alike; the app keeps its own caching', async () => {
    const signUp = await send(harness.server.url, '/auth/v1/signup', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'headers@example.com', password: 'correct horse battery staple' }),
    });
    expect(signUp.status).toBe(200);
    const token = (JSON.parse(signUp.body) as { access_token: string }).access_token;
    const auth = { authorization: `Bearer ${token}` };

    const answers = {
      signUp,
      config: await send(harness.server.url, '/api/config'),
      me: await send(harness.server.url, '/api/me', { headers: auth }),
      meSignedOut: await send(harness.server.url, '/api/me'),
      user: await send(harness.server.url, '/auth/v1/user', { headers: auth }),
      wrongPassword: await send(harness.server.url, '/auth/v1/token?grant_type=password', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'headers@example.com', password: 'not the password' }),
      }),
      unknownApi: await send(harness.server.url, '/api/nothing-here'),
    };
    expect(answers.me.status).toBe(200);
    expect(answers.meSignedOut.status).toBe(401);
    expect(answers.wrongPassword.status).toBe(400);
    expect(answers.unknownApi.status).toBe(404);
    for (const [name, answer] of Object.entries(answers)) {
      expect(answer.headers['cache-control'], name).toBe('no-store');
    }

    expect((await send(harness.server.url, '/')).headers['cache-control']).toBe('no-cache');
    expect((await send(harness.server.url, '/assets/index-Ab12Cd34.js')).headers['cache-control']).toMatch(
      /immutable/u,
    );
  });
});

describe('security headers with configured origins', () => {
  let configured: TestServer;
  beforeAll(async () => {
    configured = await startTestServer({
      webDistDir: dir,
      publicUrl: 'https://chat.example.com',
      supabaseUrl: 'https://abcdefgh.supabase.co',
    });
  });
  afterAll(async () => {
    await configured.dispose();
  });

  it('connect-src: PUBLIC_URL names the WebSocket host, and the Supabase project is allowed', async () => {
    const page = await send(configured.server.url, '/', { headers: { host: 'other.example' } });
    expect(policyOf(page.headers).get('connect-src')).toEqual([
      "'self'",
      'ws://chat.example.com',
      'wss://chat.example.com',
      'https://abcdefgh.supabase.co',
    ]);
  });
});
