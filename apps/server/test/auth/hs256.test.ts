import fc from 'fast-check';
import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { hs256Key, verifyHs256 } from '../../src/auth/hs256';

/**
 * The HS256 fast path (auth/hs256.ts) must say yes exactly where jose says yes:
 * generated tokens (claims around the current second, audiences, headers,
 * tampered segments) are put to both and their verdicts compared.
 */
const SECRET = 'test-secret-with-at-least-32-characters!!';
const OTHER_SECRET = 'another-secret-another-secret-another!!';
const NOW_SEC = 1_780_000_000;
const key = hs256Key(SECRET);
const rawKey = new TextEncoder().encode(SECRET);

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

async function sign(header: unknown, payload: unknown, secret: string): Promise<string> {
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const cryptoKey = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const signature = await crypto.subtle.sign('HMAC', cryptoKey, new TextEncoder().encode(signingInput));
  return `${signingInput}.${base64url(Buffer.from(signature))}`;
}

async function joseAccepts(token: string): Promise<boolean> {
  try {
    await jwtVerify(token, rawKey, {
      audience: 'authenticated',
      requiredClaims: ['exp', 'sub'],
      currentDate: new Date(NOW_SEC * 1000),
      algorithms: ['HS256'],
    });
    return true;
  } catch {
    return false;
  }
}

const around = (spread: number) => fc.integer({ min: NOW_SEC - spread, max: NOW_SEC + spread });
/** Mostly a value that passes, sometimes one that does not; undefined leaves the claim out. */
const usually = (good: fc.Arbitrary<unknown>, ...bad: Array<fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 3 * bad.length, arbitrary: good }, ...bad);

const claims = fc.record({
  sub: usually(fc.uuid(), fc.constant(''), fc.constant(undefined)),
  aud: usually(
    fc.constant('authenticated'),
    fc.constant('anon'),
    fc.constant(['anon', 'authenticated']),
    fc.constant(['anon']),
    fc.constant(7),
    fc.constant(undefined),
  ),
  exp: usually(
    fc.integer({ min: NOW_SEC + 1, max: NOW_SEC + 3600 }),
    around(2),
    fc.constant('soon'),
    fc.constant(null),
    fc.constant(undefined),
  ),
  nbf: usually(fc.constant(undefined), around(2), fc.constant('now')),
  iat: usually(around(100), fc.constant('then'), fc.constant(undefined)),
  role: fc.constant('authenticated'),
});

const header = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ alg: 'HS256', typ: 'JWT' }) },
  fc.constant({ alg: 'HS256' }),
  fc.constant({ alg: 'HS384' }),
  fc.constant({ alg: 'none' }),
  fc.constant({ alg: 'HS256', crit: ['exp'], exp: 1 }),
  fc.constant({ alg: 'HS256', b64: false }),
  fc.constant(['HS256']),
);

/** A token as signed, or with one segment or one character of it changed. */
const tamper = fc.oneof(
  { weight: 6, arbitrary: fc.constant((token: string) => token) },
  fc.constant((token: string) => `${token}.x`),
  fc.constant((token: string) => token.slice(0, -1)),
  fc.constant((token: string) => token.replace(/.$/, (last) => (last === 'A' ? 'B' : 'A'))),
  fc.constant((token: string) => token.replace(/^[^.]*/, base64url('{"alg":"HS256"'))),
  fc.constant((token: string) => token.replace(/\.[^.]*\./, `.${base64url('[1,2]')}.`)),
  fc.constant((token: string) => token.replace(/\.[^.]*\./, '.%%%.')),
);

describe('HS256 fast path', () => {
  it('accepts and refuses exactly the tokens jose accepts and refuses', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(header, claims, fc.boolean(), tamper, async (head, payload, rightKey, change) => {
        const token = change(await sign(head, payload, rightKey ? SECRET : OTHER_SECRET));
        const ours = verifyHs256(token, key, { audience: 'authenticated', nowSec: NOW_SEC });
        expect(typeof ours !== 'string').toBe(await joseAccepts(token));
        if (typeof ours !== 'string') accepted++;
      }),
      { numRuns: 1500, seed: 20261201 },
    );
    // Both verdicts were exercised, not only refusals.
    expect(accepted).toBeGreaterThan(50);
  });

  it('gives the reasons token-verifier.ts gives jose errors', async () => {
    const valid = { sub: crypto.randomUUID(), aud: 'authenticated', exp: NOW_SEC + 60 };
    const reason = async (payload: object, secret = SECRET) =>
      verifyHs256(await sign({ alg: 'HS256' }, payload, secret), key, {
        audience: 'authenticated',
        nowSec: NOW_SEC,
      });
    expect(await reason(valid)).toMatchObject(valid);
    expect(await reason(valid, OTHER_SECRET)).toBe('invalid signature');
    expect(await reason({ ...valid, exp: NOW_SEC })).toBe('token expired');
    expect(await reason({ ...valid, nbf: NOW_SEC + 1 })).toBe('token not yet valid');
    expect(await reason({ ...valid, aud: 'anon' })).toBe('wrong audience');
    expect(await reason({ aud: 'authenticated', exp: NOW_SEC + 60 })).toBe('invalid sub');
    expect(verifyHs256('a.b', key, { audience: 'authenticated', nowSec: NOW_SEC })).toBe('malformed token');
  });
});
