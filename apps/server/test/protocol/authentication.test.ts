import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { ManualClock } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, connectAs, createUser, type TestUser } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/test-server';
import { TestSocket } from '../support/test-socket';
import { signTestToken } from '../support/tokens';

async function authenticateWith(server: TestServer, token: unknown) {
  const socket = await TestSocket.open(server.server.wsUrl);
  const reply = await socket.request({ type: 'authenticate', token });
  return { socket, reply };
}

describe('PROTOCOL 2: authentication', () => {
  let harness: TestServer;
  let alice: TestUser;

  beforeAll(async () => {
    harness = await startTestServer({ authTimeoutMs: 400 });
    alice = await createUser(harness.server, 'Alice');
  });
  afterAll(() => harness.dispose());

  it('auth: a connection that does not authenticate in time is closed with 4008', async () => {
    const socket = await TestSocket.open(harness.server.wsUrl);
    expect((await socket.waitForClose()).code).toBe(4008);
  });

  it('auth: before authenticating, frames other than authenticate and ping get unauthorized and the socket stays open', async () => {
    const socket = await TestSocket.open(harness.server.wsUrl);
    const refused = await socket.request({ type: 'join_conversation', conversation_id: randomUUID() });
    expect(refused).toMatchObject({ type: 'error', code: 'unauthorized' });
    expect((await socket.request({ type: 'ping' })).type).toBe('pong');
    expect(socket.closeCode).toBeNull();
    socket.close();
  });

  it('auth: authenticate without a string token gets bad_request and the socket stays open', async () => {
    const socket = await TestSocket.open(harness.server.wsUrl);
    expect(await socket.request({ type: 'authenticate' })).toMatchObject({
      type: 'error',
      code: 'bad_request',
    });
    expect(await socket.request({ type: 'authenticate', token: 42 })).toMatchObject({ code: 'bad_request' });
    expect((await socket.request({ type: 'authenticate', token: alice.token })).type).toBe('authenticated');
    socket.close();
  });

  it('auth: a valid HS256 token gets authenticated with the user and expires_at = exp', async () => {
    const exp = Math.floor(Date.now() / 1000) + 1800;
    const token = await signTestToken({ sub: alice.id, email: alice.email, displayName: 'Alice', exp });
    const { socket, reply } = await authenticateWith(harness, token);
    expect(reply).toMatchObject({
      type: 'authenticated',
      user: { id: alice.id, email: alice.email, display_name: 'Alice' },
      expires_at: new Date(exp * 1000).toISOString(),
    });
    socket.close();
  });

  const refusals: Array<[string, () => Promise<string>]> = [
    [
      'alg none',
      async () => unsignedToken({ sub: randomUUID(), aud: 'authenticated', role: 'authenticated' }),
    ],
    ['a wrong key', () => signTestToken({ secret: 'another-secret-of-sufficient-length-1234567' })],
    ['a wrong aud', () => signTestToken({ aud: 'anon' })],
    ['an expired token', () => signTestToken({ expiresIn: -10 })],
    ['a role other than authenticated', () => signTestToken({ role: 'anon' })],
    ['a sub that is not a UUID', () => signTestToken({ sub: 'user-1' })],
    ['garbage', async () => 'not.a.jwt'],
  ];
  for (const [what, makeToken] of refusals) {
    it(`auth: ${what} is refused with unauthorized, then close 4001`, async () => {
      const { socket, reply } = await authenticateWith(harness, await makeToken());
      expect(reply).toMatchObject({ type: 'error', code: 'unauthorized' });
      expect((await socket.waitForClose()).code).toBe(4001);
    });
  }

  it('auth: a token for a different sub gets forbidden and the connection goes on as the user it was', async () => {
    const socket = await connectAs(harness.server, alice);
    const other = await signTestToken();
    expect(await socket.request({ type: 'authenticate', token: other })).toMatchObject({
      type: 'error',
      code: 'forbidden',
    });
    const again = await socket.request({ type: 'authenticate', token: alice.token });
    expect(again).toMatchObject({ type: 'authenticated', user: { id: alice.id } });
    socket.close();
  });

  it('auth: a valid token for an unseen user creates that user, with display_name from user_metadata', async () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ display_name: 'Dee Splay' }, 'dee@example.test', 'Dee Splay'],
      [{ full_name: 'Fully Named' }, 'full@example.test', 'Fully Named'],
      [{ name: 'Just Name' }, 'name@example.test', 'Just Name'],
      [{}, 'prefix.only@example.test', 'prefix.only'],
    ];
    for (const [metadata, email, expected] of cases) {
      const sub = randomUUID();
      const token = await signTestToken({ sub, email, extraClaims: { user_metadata: metadata } });
      const { socket, reply } = await authenticateWith(harness, token);
      expect(reply).toMatchObject({
        type: 'authenticated',
        user: { id: sub, email, display_name: expected },
      });
      socket.close();
    }
  });

  it('auth: REST provisions an unseen user on first use as the socket does', async () => {
    const sub = randomUUID();
    const token = await signTestToken({ sub, email: 'rest.first@example.test', displayName: 'Rest First' });
    const response = await api(harness.server, token, 'GET', '/api/me');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      user: { id: sub, email: 'rest.first@example.test', display_name: 'Rest First', is_agent: false },
    });
  });

  it('auth: REST refuses a missing or bad bearer token with 401 and the error body', async () => {
    for (const token of [null, 'garbage', await signTestToken({ expiresIn: -5 })]) {
      const response = await api(harness.server, token, 'GET', '/api/me');
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    }
  });
});

describe('PROTOCOL 2: token expiry (on a manual clock)', () => {
  let harness: TestServer;
  let alice: TestUser;
  const clock = new ManualClock();

  beforeAll(async () => {
    // Heartbeats would need pongs between the clock's jumps; these tests are about tokens.
    harness = await startTestServer({ heartbeatIntervalMs: 24 * 3600_000 }, { clock });
    alice = await createUser(harness.server, 'Alice');
  });
  afterAll(() => harness.dispose());

  const tokenExpiringIn = (seconds: number) => {
    const exp = Math.floor(clock.now() / 1000) + seconds;
    return { exp, token: signTestToken({ sub: alice.id, email: alice.email, exp }) };
  };

  it('auth: when the token expires without a refresh, the server closes with 4001 after exp, never before', async () => {
    const { exp, token } = tokenExpiringIn(2);
    const { socket, reply } = await authenticateWith(harness, await token);
    expect(reply.type).toBe('authenticated');
    clock.advance(exp * 1000 - clock.now() - 1);
    expect((await socket.request({ type: 'ping' })).type).toBe('pong');
    expect(socket.closeCode).toBeNull();
    clock.advance(1000);
    expect(await socket.next('error')).toMatchObject({ code: 'unauthorized', message: 'token expired' });
    expect((await socket.waitForClose()).code).toBe(4001);
  });

  it('auth: authenticate again with a fresh token for the same sub extends the session', async () => {
    const short = tokenExpiringIn(2);
    const { socket, reply } = await authenticateWith(harness, await short.token);
    expect(reply.type).toBe('authenticated');
    const fresh = tokenExpiringIn(600);
    const refreshed = await socket.request({ type: 'authenticate', token: await fresh.token });
    expect(refreshed.type).toBe('authenticated');
    expect(refreshed.expires_at).toBe(new Date(fresh.exp * 1000).toISOString());
    // Well past the first token's exp the connection is still open and serving.
    clock.advance(short.exp * 1000 - clock.now() + 5000);
    expect((await socket.request({ type: 'ping' })).type).toBe('pong');
    expect(socket.closeCode).toBeNull();
    // And the fresh token's own exp still ends it.
    clock.advance(600_000);
    expect((await socket.waitForClose()).code).toBe(4001);
  });
});

describe('PROTOCOL 2: a Supabase project with asymmetric keys (JWKS)', () => {
  let jwksServer: Server;
  let harness: TestServer;
  let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  const kid = 'test-key-1';

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    privateKey = pair.privateKey;
    const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid, alg: 'ES256', use: 'sig' };
    jwksServer = createHttpServer((request, response) => {
      if (request.url === '/auth/v1/.well-known/jwks.json') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ keys: [jwk] }));
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const address = jwksServer.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    harness = await startTestServer({ supabaseUrl: `http://127.0.0.1:${port}`, jwtSecret: undefined });
  });
  afterAll(async () => {
    await harness.dispose();
    await new Promise((resolve) => jwksServer.close(resolve));
  });

  const es256Token = (claims: Record<string, unknown>, keyId = kid) =>
    new SignJWT({ aud: 'authenticated', role: 'authenticated', email: 'jw@example.test', ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: keyId })
      .setSubject(randomUUID())
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);

  it('auth: an ES256 token verified against the project JWKS authenticates', async () => {
    const { socket, reply } = await authenticateWith(harness, await es256Token({}));
    expect(reply).toMatchObject({
      type: 'authenticated',
      user: { email: 'jw@example.test', display_name: 'jw' },
    });
    socket.close();
  });

  it('auth: an ES256 token with an unknown kid is refused with 4001', async () => {
    const { socket, reply } = await authenticateWith(harness, await es256Token({}, 'unknown-kid'));
    expect(reply).toMatchObject({ type: 'error', code: 'unauthorized' });
    expect((await socket.waitForClose()).code).toBe(4001);
  });

  it('auth: with a Supabase project configured, embedded auth is off', async () => {
    const response = await fetch(`${harness.server.url}/auth/v1/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'x@example.test', password: 'secret123' }),
    });
    expect(response.status).toBe(404);
    const config = (await (await fetch(`${harness.server.url}/api/config`)).json()) as { auth_mode: string };
    expect(config.auth_mode).toBe('supabase');
  });
});

function unsignedToken(payload: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const exp = Math.floor(Date.now() / 1000) + 3600;
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ ...payload, exp })}.`;
}
