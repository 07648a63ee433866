import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, isAuthApiError, isAuthWeakPasswordError } from '@supabase/supabase-js';
import type { SupabaseClient } from '@supabase/supabase-js';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { registerEmbeddedAuth } from '../../src/auth/embedded-auth-routes';
import type { EmbeddedAuthDeps } from '../../src/auth/embedded-auth-routes';
import { createTokenVerifier } from '../../src/auth/token-verifier';
import { createSqliteStorage } from '../../src/storage/sqlite/sqlite-storage';
import type { Storage } from '../../src/storage/storage';

const SECRET = 'embedded-auth-test-secret-0123456789abcdef';
const CHEAP_SCRYPT = { N: 1024, r: 8, p: 1 };

let dir: string;
let storage: Storage;

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
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { app, url: `http://127.0.0.1:${address.port}` };
}

function supabase(url: string): SupabaseClient {
  return createClient(url, 'anon-key', {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  });
}

let counter = 0;
const uniqueEmail = () => `user${Date.now()}.${counter++}@example.com`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'chat-auth-'));
  storage = createSqliteStorage({ filename: join(dir, 'chat.db') });
});

afterAll(async () => {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('embedded auth through @supabase/supabase-js', () => {
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await startAuthServer());
  });
  afterAll(async () => {
    await app.close();
  });

  it('signs up with a display name and returns a session at once', async () => {
    const email = uniqueEmail();
    const { data, error } = await supabase(url).auth.signUp({
      email: email.toUpperCase(),
      password: 'hunter22',
      options: { data: { display_name: 'Ada Lovelace' } },
    });
    expect(error).toBeNull();
    const { session, user } = data;
    expect(session).not.toBeNull();
    expect(session!.token_type).toBe('bearer');
    expect(session!.expires_in).toBe(600);
    expect(session!.refresh_token.length).toBeGreaterThanOrEqual(43);
    expect(user).toMatchObject({
      email,
      aud: 'authenticated',
      role: 'authenticated',
      user_metadata: { display_name: 'Ada Lovelace' },
      app_metadata: { provider: 'email', providers: ['email'] },
      identities: [{ provider: 'email', user_id: user!.id, identity_data: { email, sub: user!.id } }],
      is_anonymous: false,
    });
    expect(user!.email_confirmed_at).toBeTruthy();

    // The access token is what the chat's own verifier accepts.
    const verified = await createTokenVerifier({ jwtSecret: SECRET }).verify(session!.access_token);
    expect(verified).toMatchObject({
      ok: true,
      user: { id: user!.id, email, display_name: 'Ada Lovelace' },
    });
    expect(await storage.getUser(user!.id)).toMatchObject({
      id: user!.id,
      email,
      display_name: 'Ada Lovelace',
    });
  });

  it("issues Supabase's claims", async () => {
    const { data } = await supabase(url).auth.signUp({ email: uniqueEmail(), password: 'hunter22' });
    const token = data.session!.access_token;
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      iss: `${url}/auth/v1`,
      aud: 'authenticated',
      role: 'authenticated',
      sub: data.user!.id,
      email: data.user!.email,
      phone: '',
      app_metadata: { provider: 'email', providers: ['email'] },
      user_metadata: {},
      aal: 'aal1',
      amr: [{ method: 'password', timestamp: expect.any(Number) }],
      session_id: expect.any(String),
      is_anonymous: false,
    });
    expect(claims.exp! - claims.iat!).toBe(600);
    expect(data.session!.expires_at).toBe(claims.exp);
  });

  it('refuses a taken e-mail (any case) as user_already_exists', async () => {
    const email = uniqueEmail();
    await supabase(url).auth.signUp({ email, password: 'hunter22' });
    const { data, error } = await supabase(url).auth.signUp({
      email: email.toUpperCase(),
      password: 'other-pw',
    });
    expect(data.session).toBeNull();
    expect(isAuthApiError(error)).toBe(true);
    expect(error).toMatchObject({ status: 422, code: 'user_already_exists' });
  });

  it('refuses a short password as weak_password', async () => {
    const { error } = await supabase(url).auth.signUp({ email: uniqueEmail(), password: '12345' });
    expect(isAuthWeakPasswordError(error)).toBe(true);
    expect(error).toMatchObject({ status: 422, code: 'weak_password', reasons: ['length'] });
  });

  it('refuses a malformed e-mail or display name as validation_failed', async () => {
    const bad = await supabase(url).auth.signUp({ email: 'not-an-email', password: 'hunter22' });
    expect(bad.error).toMatchObject({ status: 400, code: 'validation_failed' });
    const badName = await supabase(url).auth.signUp({
      email: uniqueEmail(),
      password: 'hunter22',
      options: { data: { display_name: 42 } },
    });
    expect(badName.error).toMatchObject({ status: 400, code: 'validation_failed' });
  });

  it('signs in with the password; a wrong password or unknown e-mail is invalid_credentials', async () => {
    const email = uniqueEmail();
    const signUp = await supabase(url).auth.signUp({ email, password: 'hunter22' });
    const client = supabase(url);
    const ok = await client.auth.signInWithPassword({
      email: ` ${email.toUpperCase()} `,
      password: 'hunter22',
    });
    expect(ok.error).toBeNull();
    expect(ok.data.user!.id).toBe(signUp.data.user!.id);
    expect(ok.data.session!.refresh_token).not.toBe(signUp.data.session!.refresh_token);

    const wrong = await client.auth.signInWithPassword({ email, password: 'hunter23' });
    expect(isAuthApiError(wrong.error)).toBe(true);
    expect(wrong.error).toMatchObject({ status: 400, code: 'invalid_credentials' });
    const unknown = await client.auth.signInWithPassword({ email: uniqueEmail(), password: 'hunter22' });
    expect(unknown.error).toMatchObject({ status: 400, code: 'invalid_credentials' });
  });

  it('rotates refresh tokens: the old one, used again within the grace, gets the current one', async () => {
    const client = supabase(url);
    const { data } = await client.auth.signUp({ email: uniqueEmail(), password: 'hunter22' });
    const first = data.session!;

    const refreshed = await client.auth.refreshSession({ refresh_token: first.refresh_token });
    expect(refreshed.error).toBeNull();
    const second = refreshed.data.session!;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.user.id).toBe(first.user.id);
    expect(decodeJwt(second.access_token).session_id).toBe(decodeJwt(first.access_token).session_id);

    const reused = await supabase(url).auth.refreshSession({ refresh_token: first.refresh_token });
    expect(reused.data.session?.refresh_token).toBe(second.refresh_token);
    const unknown = await supabase(url).auth.refreshSession({ refresh_token: 'no-such-token' });
    expect(isAuthApiError(unknown.error)).toBe(true);
    expect(unknown.error).toMatchObject({ status: 400, code: 'refresh_token_not_found' });

    // The rotated one still works.
    const third = await supabase(url).auth.refreshSession({ refresh_token: second.refresh_token });
    expect(third.error).toBeNull();
  });

  it('gets the user of an access token', async () => {
    const client = supabase(url);
    const { data } = await client.auth.signUp({
      email: uniqueEmail(),
      password: 'hunter22',
      options: { data: { display_name: 'Grace' } },
    });
    const { data: got, error } = await client.auth.getUser();
    expect(error).toBeNull();
    expect(got.user).toMatchObject({
      id: data.user!.id,
      email: data.user!.email,
      user_metadata: { display_name: 'Grace' },
    });
    expect(got.user!.last_sign_in_at).toBeTruthy();

    const stranger = await supabase(url).auth.getUser('not-a-jwt');
    expect(stranger.error).toMatchObject({ status: 403, code: 'bad_jwt' });
  });

  it('signs out: the session (every session, by default) can no longer refresh', async () => {
    const email = uniqueEmail();
    const phone = supabase(url);
    const laptop = supabase(url);
    await phone.auth.signUp({ email, password: 'hunter22' });
    const laptopSession = (await laptop.auth.signInWithPassword({ email, password: 'hunter22' })).data
      .session!;
    const phoneSession = (await phone.auth.getSession()).data.session!;

    expect((await phone.auth.signOut()).error).toBeNull();
    expect((await phone.auth.getSession()).data.session).toBeNull();
    for (const session of [phoneSession, laptopSession]) {
      const { error } = await supabase(url).auth.refreshSession({ refresh_token: session.refresh_token });
      expect(error).toMatchObject({ code: 'refresh_token_not_found' });
    }
  });

  it('signs out locally: other sessions live on', async () => {
    const email = uniqueEmail();
    const phone = supabase(url);
    const laptop = supabase(url);
    await phone.auth.signUp({ email, password: 'hunter22' });
    await laptop.auth.signInWithPassword({ email, password: 'hunter22' });
    const phoneSession = (await phone.auth.getSession()).data.session!;
    const laptopSession = (await laptop.auth.getSession()).data.session!;

    expect((await phone.auth.signOut({ scope: 'local' })).error).toBeNull();
    const phoneRefresh = await supabase(url).auth.refreshSession({
      refresh_token: phoneSession.refresh_token,
    });
    expect(phoneRefresh.error).toMatchObject({ code: 'refresh_token_not_found' });
    const laptopRefresh = await supabase(url).auth.refreshSession({
      refresh_token: laptopSession.refresh_token,
    });
    expect(laptopRefresh.error).toBeNull();
  });
});

describe('embedded auth over plain HTTP', () => {
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await startAuthServer({ issuerBaseUrl: 'https://chat.example.com/' }));
  });
  afterAll(async () => {
    await app.close();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}/auth/v1${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it("sends GoTrue's legacy error shape without an API version header", async () => {
    const response = await post('/token?grant_type=password', {
      email: uniqueEmail(),
      password: 'whatever1',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-sb-error-code')).toBe('invalid_credentials');
    expect(response.headers.get('x-supabase-api-version')).toBeNull();
    expect(await response.json()).toEqual({
      code: 400,
      error_code: 'invalid_credentials',
      msg: 'Invalid login credentials',
    });
  });

  it('sends the 2024-01-01 shape when asked for it, and echoes the version', async () => {
    const response = await post(
      '/token?grant_type=password',
      { email: uniqueEmail(), password: 'whatever1' },
      { 'X-Supabase-Api-Version': '2024-01-01' },
    );
    expect(response.headers.get('x-supabase-api-version')).toBe('2024-01-01');
    expect(await response.json()).toEqual({
      code: 'invalid_credentials',
      message: 'Invalid login credentials',
    });
  });

  it('refuses bad JSON, a missing body and an unknown grant type', async () => {
    const badJson = await post('/signup', '{"email":');
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ error_code: 'bad_json' });
    const noBody = await post('/signup', '');
    expect(await noBody.json()).toMatchObject({ code: 400, error_code: 'validation_failed' });
    const grant = await post('/token?grant_type=magic', {});
    expect(await grant.json()).toMatchObject({ code: 400, error_code: 'validation_failed' });
  });

  it('uses the configured issuer and never caches sessions', async () => {
    const response = await post('/signup', { email: uniqueEmail(), password: 'hunter22' });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const session = (await response.json()) as { access_token: string; user: Record<string, unknown> };
    expect(decodeJwt(session.access_token).iss).toBe('https://chat.example.com/auth/v1');
    expect(Object.keys(session.user).sort()).toEqual(
      [
        'id',
        'aud',
        'role',
        'email',
        'email_confirmed_at',
        'phone',
        'confirmed_at',
        'last_sign_in_at',
        'app_metadata',
        'user_metadata',
        'identities',
        'created_at',
        'updated_at',
        'is_anonymous',
      ].sort(),
    );
  });

  it('requires a Bearer token on /user and /logout', async () => {
    const noToken = await fetch(`${url}/auth/v1/user`);
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toMatchObject({ error_code: 'no_authorization' });
    const logout = await post('/logout', '', { authorization: 'Bearer nonsense' });
    expect(logout.status).toBe(403);
    expect(await logout.json()).toMatchObject({ error_code: 'bad_jwt' });
  });

  it('logs out with an empty JSON body (as supabase-js sends it) and answers 204', async () => {
    const signUp = await post('/signup', { email: uniqueEmail(), password: 'hunter22' });
    const { access_token } = (await signUp.json()) as { access_token: string };
    const response = await post('/logout?scope=local', '', { authorization: `Bearer ${access_token}` });
    expect(response.status).toBe(204);
    const badScope = await post('/logout?scope=everyone', '', { authorization: `Bearer ${access_token}` });
    expect(badScope.status).toBe(400);
  });

  it('publishes no keys, its settings and its health', async () => {
    expect(await (await fetch(`${url}/auth/v1/.well-known/jwks.json`)).json()).toEqual({ keys: [] });
    expect(await (await fetch(`${url}/auth/v1/settings`)).json()).toMatchObject({
      external: { email: true },
      disable_signup: false,
      mailer_autoconfirm: true,
    });
    expect((await fetch(`${url}/auth/v1/health`)).status).toBe(200);
    const missing = await fetch(`${url}/auth/v1/otp`, { method: 'POST' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error_code: 'not_found' });
  });
});

describe('embedded auth throttle', () => {
  it('answers over_request_rate_limit past the per-IP limit of sign-ups', async () => {
    const { app, url } = await startAuthServer({ signInRateLimit: { limit: 2, windowMs: 60_000 } });
    try {
      const client = supabase(url);
      expect((await client.auth.signUp({ email: uniqueEmail(), password: 'hunter22' })).error).toBeNull();
      expect((await client.auth.signUp({ email: uniqueEmail(), password: 'hunter22' })).error).toBeNull();
      const raw = await fetch(`${url}/auth/v1/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: uniqueEmail(), password: 'hunter22' }),
      });
      expect(raw.status).toBe(429);
      expect(Number(raw.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });
});
