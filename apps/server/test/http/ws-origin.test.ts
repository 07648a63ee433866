import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ConfigError, loadConfigFromEnv } from '../../src/index';
import { createUser, type TestUser } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/test-server';

/** Opens /ws with these headers: the HTTP status of a refusal, or 101 and an authenticated socket. */
async function upgrade(server: TestServer, user: TestUser, headers: Record<string, string>): Promise<number> {
  const ws = new WebSocket(server.server.wsUrl, { headers });
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('open', () => {
      ws.send(JSON.stringify({ type: 'authenticate', token: user.token, ref: 'a' }));
      ws.once('message', (data) => {
        const reply = JSON.parse(data.toString()) as { type: string };
        ws.close();
        if (reply.type === 'authenticated') resolve(101);
        else reject(new Error(`not authenticated: ${data.toString()}`));
      });
    });
    ws.once('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

describe('SECURITY: the origin of /ws upgrades', () => {
  describe('default: the server own origin only', () => {
    let harness: TestServer;
    let alice: TestUser;
    beforeAll(async () => {
      harness = await startTestServer();
      alice = await createUser(harness.server, 'Alice');
    });
    afterAll(() => harness.dispose());

    it("a browser page of the server's own origin (its Host) opens a socket", async () => {
      const own = new URL(harness.server.url).origin;
      expect(await upgrade(harness, alice, { origin: own })).toBe(101);
    });

    it('a page on another site is refused 403 before the upgrade, even with a valid token to offer', async () => {
      const own = new URL(harness.server.url);
      for (const origin of [
        'https://evil.example',
        `http://evil.example:${own.port}`,
        `http://${own.hostname}.evil.example:${own.port}`,
        'null',
        'not a url',
      ]) {
        expect(await upgrade(harness, alice, { origin }), origin).toBe(403);
      }
    });

    it('a client that sends no Origin (a bot, a server) is not a browser and is accepted', async () => {
      expect(await upgrade(harness, alice, {})).toBe(101);
    });
  });

  describe('ALLOWED_ORIGINS', () => {
    let harness: TestServer;
    let alice: TestUser;
    beforeAll(async () => {
      harness = await startTestServer({
        allowedOrigins: ['https://chat.example.com', 'http://localhost:5173'],
      });
      alice = await createUser(harness.server, 'Alice');
    });
    afterAll(() => harness.dispose());

    it('exactly the listed origins are allowed, the server own Host no longer by default', async () => {
      expect(await upgrade(harness, alice, { origin: 'https://chat.example.com' })).toBe(101);
      expect(await upgrade(harness, alice, { origin: 'http://localhost:5173' })).toBe(101);
      expect(await upgrade(harness, alice, { origin: 'http://chat.example.com' })).toBe(403);
      expect(await upgrade(harness, alice, { origin: new URL(harness.server.url).origin })).toBe(403);
      expect(await upgrade(harness, alice, {})).toBe(101);
    });
  });

  describe('PUBLIC_URL', () => {
    let harness: TestServer;
    let alice: TestUser;
    beforeAll(async () => {
      harness = await startTestServer({ publicUrl: 'https://chat.example.com' });
      alice = await createUser(harness.server, 'Alice');
    });
    afterAll(() => harness.dispose());

    it('the public origin is the server own, as is its Host; others are refused', async () => {
      expect(await upgrade(harness, alice, { origin: 'https://chat.example.com' })).toBe(101);
      expect(await upgrade(harness, alice, { origin: new URL(harness.server.url).origin })).toBe(101);
      expect(await upgrade(harness, alice, { origin: 'https://evil.example' })).toBe(403);
    });
  });
});

describe('SECURITY: ALLOWED_ORIGINS from the environment', () => {
  it('is a comma-separated list of origins, each reduced to its origin; a bad one stops the start', () => {
    expect(
      loadConfigFromEnv({ ALLOWED_ORIGINS: 'https://chat.example.com/, http://localhost:5173' })
        .allowedOrigins,
    ).toEqual(['https://chat.example.com', 'http://localhost:5173']);
    expect(() => loadConfigFromEnv({ ALLOWED_ORIGINS: 'chat.example.com' })).toThrow(ConfigError);
    expect(loadConfigFromEnv({}).allowedOrigins).toBeUndefined();
  });
});
