import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair } from 'jose';
import type { JWK, JWTPayload, CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../../src/auth/token-verifier';

const SECRET = 'test-secret-with-at-least-32-characters!!';
const secretBytes = new TextEncoder().encode(SECRET);
const now = () => Math.floor(Date.now() / 1000);

function claims(overrides: JWTPayload = {}): JWTPayload {
  return {
    sub: randomUUID(),
    aud: 'authenticated',
    role: 'authenticated',
    email: 'ada@example.com',
    exp: now() + 3600,
    iat: now(),
    user_metadata: {},
    ...overrides,
  };
}

function hs256(payload: JWTPayload, key: Uint8Array = secretBytes): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(key);
}

describe('token verifier: HS256 with the shared secret', () => {
  const verifier = createTokenVerifier({ jwtSecret: SECRET });

  it('accepts a valid token and derives the user', async () => {
    const payload = claims({ user_metadata: { display_name: 'Ada L.' } });
    const result = await verifier.verify(await hs256(payload));
    expect(result).toMatchObject({
      ok: true,
      user: { id: payload.sub, email: 'ada@example.com', display_name: 'Ada L.' },
    });
    if (result.ok) expect(result.expiresAt.getTime()).toBe((payload.exp as number) * 1000);
  });

  it('takes display_name from full_name, name, then the e-mail', async () => {
    const nameOf = async (payload: JWTPayload) => {
      const result = await verifier.verify(await hs256(claims(payload)));
      return result.ok ? result.user.display_name : result.reason;
    };
    expect(await nameOf({ user_metadata: { full_name: 'Ada Lovelace', name: 'ada' } })).toBe('Ada Lovelace');
    expect(await nameOf({ user_metadata: { name: 'Countess' } })).toBe('Countess');
    expect(await nameOf({ user_metadata: { display_name: '  ' } })).toBe('ada');
    expect(await nameOf({ email: undefined, user_metadata: undefined })).toBe('User');
  });

  it('refuses alg none', async () => {
    const token = new UnsecuredJWT(claims()).encode();
    expect(await verifier.verify(token)).toEqual({ ok: false, reason: 'algorithm none is not accepted' });
  });

  it('refuses a token signed with another secret', async () => {
    const token = await hs256(claims(), new TextEncoder().encode('another-secret-another-secret-another'));
    expect(await verifier.verify(token)).toEqual({ ok: false, reason: 'invalid signature' });
  });

  it('refuses a wrong audience', async () => {
    expect(await verifier.verify(await hs256(claims({ aud: 'anon' })))).toEqual({
      ok: false,
      reason: 'wrong audience',
    });
  });

  it('refuses an expired token, and one expiring this very second', async () => {
    expect(await verifier.verify(await hs256(claims({ exp: now() - 10 })))).toEqual({
      ok: false,
      reason: 'token expired',
    });
    expect(await verifier.verify(await hs256(claims({ exp: now() })))).toMatchObject({ ok: false });
  });

  it('refuses a token without role authenticated', async () => {
    expect(await verifier.verify(await hs256(claims({ role: undefined })))).toEqual({
      ok: false,
      reason: 'role is not authenticated',
    });
    expect(await verifier.verify(await hs256(claims({ role: 'anon' })))).toMatchObject({ ok: false });
    expect(await verifier.verify(await hs256(claims({ role: 'service_role' })))).toMatchObject({ ok: false });
  });

  it('refuses a sub that is not a UUID, and a token without sub or exp', async () => {
    expect(await verifier.verify(await hs256(claims({ sub: 'user-1' })))).toEqual({
      ok: false,
      reason: 'sub is not a UUID',
    });
    expect(await verifier.verify(await hs256(claims({ sub: undefined })))).toMatchObject({ ok: false });
    expect(await verifier.verify(await hs256(claims({ exp: undefined })))).toMatchObject({ ok: false });
  });

  it('refuses a token issued 100 years in the future, and accepts one within the 60 s skew', async () => {
    const future = now() + 100 * 365 * 24 * 3600;
    const far = await verifier.verify(await hs256(claims({ iat: future, exp: future + 3600 })));
    expect(far).toEqual({ ok: false, reason: 'token issued in the future' });
    const skewed = await verifier.verify(await hs256(claims({ iat: now() + 50, exp: now() + 3600 })));
    expect(skewed.ok).toBe(true);
    const beyond = await verifier.verify(await hs256(claims({ iat: now() + 120, exp: now() + 3600 })));
    expect(beyond).toEqual({ ok: false, reason: 'token issued in the future' });
  });

  it('refuses a token meant to live longer than the maximum lifetime (a week by default), with or without iat', async () => {
    const week = 7 * 24 * 3600;
    expect((await verifier.verify(await hs256(claims({ exp: now() + week })))).ok).toBe(true);
    const long = await verifier.verify(await hs256(claims({ exp: now() + week + 60 })));
    expect(long).toEqual({ ok: false, reason: 'token lifetime too long' });
    const noIat = claims({ exp: now() + 10 * 365 * 24 * 3600 });
    delete noIat.iat;
    expect(await verifier.verify(await hs256(noIat))).toEqual({
      ok: false,
      reason: 'token lifetime too long',
    });
    const strict = createTokenVerifier({ jwtSecret: SECRET, maxLifetimeSec: 600, maxClockSkewSec: 0 });
    expect(await strict.verify(await hs256(claims({ exp: now() + 3600 })))).toMatchObject({ ok: false });
    expect(await strict.verify(await hs256(claims({ iat: now() + 5, exp: now() + 60 })))).toMatchObject({
      reason: 'token issued in the future',
    });
  });

  it('honours nbf', async () => {
    const early = await verifier.verify(await hs256(claims({ nbf: now() + 600 })));
    expect(early).toEqual({ ok: false, reason: 'token not yet valid' });
  });

  it('refuses garbage without throwing', async () => {
    for (const token of ['', 'abc', 'a.b.c', 'x'.repeat(20_000), null as unknown as string]) {
      expect(await verifier.verify(token)).toMatchObject({ ok: false, reason: expect.any(String) });
    }
  });

  it('refuses asymmetric tokens when no JWKS is configured', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid: 'k' }).sign(privateKey);
    expect(await verifier.verify(token)).toEqual({ ok: false, reason: 'ES256 tokens are not accepted' });
  });

  it('refuses HS256 when only a JWKS is configured', async () => {
    const jwksOnly = createTokenVerifier({ jwksUrl: 'http://127.0.0.1:9/jwks.json' });
    expect(await jwksOnly.verify(await hs256(claims()))).toEqual({
      ok: false,
      reason: 'HS256 tokens are not accepted',
    });
  });

  it('needs at least one key source', () => {
    expect(() => createTokenVerifier({})).toThrow(/jwtSecret/);
  });
});

describe('token verifier: ES256 and RS256 through a JWKS served on loopback', () => {
  let server: Server;
  let baseUrl: string;
  let fetches = 0;
  const keys: Record<string, { privateKey: CryptoKey; jwk: JWK }> = {};

  beforeAll(async () => {
    for (const [kid, alg] of [
      ['es-1', 'ES256'],
      ['rs-1', 'RS256'],
    ] as const) {
      const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
      keys[kid] = { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
    }
    server = createServer((request, response) => {
      if (request.url !== '/auth/v1/.well-known/jwks.json') {
        response.writeHead(404).end();
        return;
      }
      fetches += 1;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: Object.values(keys).map((key) => key.jwk) }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const sign = (alg: 'ES256' | 'RS256', kid: string, key: CryptoKey, payload = claims()) =>
    new SignJWT(payload).setProtectedHeader({ alg, kid, typ: 'JWT' }).sign(key);

  it('accepts ES256 and RS256 tokens, fetching the keys once', async () => {
    const verifier = createTokenVerifier({ supabaseUrl: baseUrl });
    const before = fetches;
    const payload = claims();
    const es = await verifier.verify(await sign('ES256', 'es-1', keys['es-1']!.privateKey, payload));
    expect(es).toMatchObject({ ok: true, user: { id: payload.sub, display_name: 'ada' } });
    const rs = await verifier.verify(await sign('RS256', 'rs-1', keys['rs-1']!.privateKey));
    expect(rs).toMatchObject({ ok: true });
    expect(fetches - before).toBe(1);
  });

  it('refuses an unknown kid', async () => {
    const verifier = createTokenVerifier({ supabaseUrl: baseUrl });
    const { privateKey } = await generateKeyPair('ES256');
    expect(await verifier.verify(await sign('ES256', 'es-unknown', privateKey))).toEqual({
      ok: false,
      reason: 'unknown signing key',
    });
  });

  it('refuses a known kid signed by another key', async () => {
    const verifier = createTokenVerifier({ supabaseUrl: baseUrl });
    const { privateKey } = await generateKeyPair('ES256');
    expect(await verifier.verify(await sign('ES256', 'es-1', privateKey))).toEqual({
      ok: false,
      reason: 'invalid signature',
    });
  });

  it('refuses wrong claims on asymmetric tokens too', async () => {
    const verifier = createTokenVerifier({ jwksUrl: `${baseUrl}/auth/v1/.well-known/jwks.json` });
    const key = keys['es-1']!.privateKey;
    expect(await verifier.verify(await sign('ES256', 'es-1', key, claims({ aud: 'x' })))).toMatchObject({
      ok: false,
      reason: 'wrong audience',
    });
    expect(await verifier.verify(await sign('ES256', 'es-1', key, claims({ exp: now() - 1 })))).toMatchObject(
      {
        ok: false,
        reason: 'token expired',
      },
    );
  });

  it('refuses an HS256 token made with the public key as its secret (algorithm confusion)', async () => {
    const verifier = createTokenVerifier({ supabaseUrl: baseUrl, jwtSecret: SECRET });
    const publicJwkBytes = new TextEncoder().encode(JSON.stringify(keys['rs-1']!.jwk));
    expect(await verifier.verify(await hs256(claims(), publicJwkBytes))).toEqual({
      ok: false,
      reason: 'invalid signature',
    });
  });

  it('refuses other algorithms outright', async () => {
    const verifier = createTokenVerifier({ supabaseUrl: baseUrl });
    const { privateKey } = await generateKeyPair('ES384');
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'ES384', kid: 'es-1' })
      .sign(privateKey);
    expect(await verifier.verify(token)).toEqual({ ok: false, reason: 'algorithm ES384 is not accepted' });
  });

  it('answers, not throws, when the JWKS cannot be fetched', async () => {
    const verifier = createTokenVerifier({ jwksUrl: `${baseUrl}/missing.json` });
    const result = await verifier.verify(await sign('ES256', 'es-1', keys['es-1']!.privateKey));
    expect(result).toMatchObject({ ok: false, reason: expect.any(String) });
  });
});
