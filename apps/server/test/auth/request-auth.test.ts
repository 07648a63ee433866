import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import type { JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KnownUsers } from '../../src/auth/known-users';
import { authenticateRequest, bearerToken } from '../../src/auth/request-auth';
import { createTokenVerifier } from '../../src/auth/token-verifier';
import { createSqliteStorage } from '../../src/storage/sqlite/sqlite-storage';
import type { Storage } from '../../src/storage/storage';

const SECRET = 'request-auth-test-secret-0123456789abcdef';

function token(payload: JWTPayload): Promise<string> {
  return new SignJWT({ aud: 'authenticated', role: 'authenticated', ...payload })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(SECRET));
}

describe('authenticateRequest', () => {
  let dir: string;
  let storage: Storage;
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'chat-request-auth-'));
    storage = createSqliteStorage({ filename: join(dir, 'chat.db') });
    const verifier = createTokenVerifier({ jwtSecret: SECRET });
    app = Fastify({ logger: false });
    app.get('/api/me', async (request, reply) => {
      const auth = await authenticateRequest(request, verifier, storage);
      if (!auth.ok) return reply.code(401).send({ error: { code: 'unauthorized', message: auth.message } });
      return { user: auth.user };
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    url = `http://127.0.0.1:${address.port}`;
  });

  afterAll(async () => {
    await app.close();
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const me = (authorization?: string) =>
    fetch(`${url}/api/me`, { headers: authorization ? { authorization } : {} });

  it('creates a user seen for the first time, from the token', async () => {
    const id = randomUUID();
    expect(await storage.getUser(id)).toBeNull();
    const response = await me(
      `Bearer ${await token({ sub: id, email: 'Grace@Example.com', user_metadata: { full_name: 'Grace Hopper' } })}`,
    );
    expect(response.status).toBe(200);
    const expected = { id, email: 'grace@example.com', display_name: 'Grace Hopper' };
    expect(await response.json()).toMatchObject({ user: expected });
    expect(await storage.getUser(id)).toMatchObject(expected);

    // Seen again: the same stored user.
    const again = await me(`bearer ${await token({ sub: id, email: 'grace@example.com' })}`);
    expect(await again.json()).toMatchObject({ user: expected });
  });

  it('refuses a request without a bearer token', async () => {
    for (const header of [undefined, 'Basic abc', 'Bearer', 'Bearer a b']) {
      const response = await me(header);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        error: { code: 'unauthorized', message: 'missing bearer token' },
      });
    }
  });

  it('refuses an invalid token with the reason', async () => {
    const response = await me(`Bearer ${await token({ sub: randomUUID(), role: 'anon' })}`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: { code: 'unauthorized', message: 'role is not authenticated' },
    });
  });

  it('with KnownUsers: a user seen lately is not looked up again, and its token is still verified', async () => {
    const verifier = createTokenVerifier({ jwtSecret: SECRET });
    let lookups = 0;
    const counted = {
      ensureUser: (user: Parameters<Storage['ensureUser']>[0]) => {
        lookups++;
        return storage.ensureUser(user);
      },
      agentUserByKeyHash: (hash: string) => storage.agentUserByKeyHash(hash),
    };
    const known = new KnownUsers();
    const id = randomUUID();
    const request = async (payload: JWTPayload) => ({
      headers: { authorization: `Bearer ${await token(payload)}` },
    });
    const first = await authenticateRequest(
      await request({ sub: id, email: 'ada@example.com' }),
      verifier,
      counted,
      known,
    );
    const second = await authenticateRequest(
      await request({ sub: id, email: 'ada@example.com' }),
      verifier,
      counted,
      known,
    );
    expect(first).toMatchObject({ ok: true, user: { id } });
    expect(second).toEqual(first);
    expect(lookups).toBe(1);
    const anon = await authenticateRequest(
      await request({ sub: id, role: 'anon' }),
      verifier,
      counted,
      known,
    );
    expect(anon).toEqual({ ok: false, message: 'role is not authenticated' });
  });

  it('reads the token of a Bearer header', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer   abc ')).toBe('abc');
    expect(bearerToken(undefined)).toBeNull();
    expect(bearerToken('Token abc')).toBeNull();
  });
});
