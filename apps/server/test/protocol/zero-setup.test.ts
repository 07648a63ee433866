import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess } from '../support/server-process';
import { TestSocket } from '../support/test-socket';

describe('zero setup', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-zero-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('start: with no configuration the server creates its database and JWT secret and serves /healthz, /readyz and /ws', async () => {
    const proc = await startServerProcess({ DATA_DIR: dataDir, JWT_SECRET: '' });
    try {
      expect(await (await fetch(`${proc.url}/healthz`)).json()).toEqual({ status: 'ok' });
      expect(await (await fetch(`${proc.url}/readyz`)).json()).toMatchObject({
        status: 'ready',
        storage: 'sqlite',
      });
      expect(existsSync(join(dataDir, 'chat.db'))).toBe(true);
      const secret = readFileSync(join(dataDir, 'jwt-secret'), 'utf8').trim();
      expect(secret.length).toBeGreaterThanOrEqual(32);

      // Embedded auth works at once: sign up, then use the token on /ws.
      const signup = await fetch(`${proc.url}/auth/v1/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: 'zero@example.test',
          password: 'secret123',
          data: { display_name: 'Zero' },
        }),
      });
      const session = (await signup.json()) as { access_token: string };
      const socket = await TestSocket.open(proc.wsUrl);
      const reply = await socket.request({ type: 'authenticate', token: session.access_token });
      expect(reply).toMatchObject({ type: 'authenticated', user: { display_name: 'Zero' } });
      socket.close();

      const metrics = await (await fetch(`${proc.url}/metrics`)).text();
      expect(metrics).toContain('chat_connections');
      expect(metrics).toContain('chat_frames_in_total{type="authenticate"}');
    } finally {
      await proc.kill('SIGTERM');
    }
  }, 60_000);

  it('start: the generated secret is kept, so tokens survive a restart', async () => {
    const before = readFileSync(join(dataDir, 'jwt-secret'), 'utf8');
    const proc = await startServerProcess({ DATA_DIR: dataDir, JWT_SECRET: '' });
    await proc.kill('SIGTERM');
    expect(readFileSync(join(dataDir, 'jwt-secret'), 'utf8')).toBe(before);
  }, 60_000);

  it('config: an invalid setting stops the start with a message naming it', async () => {
    await expect(startServerProcess({ DATA_DIR: dataDir, PORT: 'not-a-port' })).rejects.toThrow(/PORT/);
    await expect(startServerProcess({ DATA_DIR: dataDir, JWT_SECRET: 'short' })).rejects.toThrow(
      /JWT_SECRET must be at least 32 characters/,
    );
  }, 60_000);
});
