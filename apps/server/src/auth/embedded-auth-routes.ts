import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Storage } from '../storage/storage';
import { MAX_DISPLAY_NAME_LENGTH, displayNameOf } from './display-name';
import { GoTrueError, GoTrueErrorCode, authErrors, sendGoTrueError } from './gotrue-errors';
import { goTrueSession, goTrueUser } from './gotrue-shapes';
import { hashPassword, verifyDummyPassword, verifyPassword } from './password';
import type { ScryptParams } from './password';
import { bearerToken } from './request-auth';
import { createSessionTokens } from './session-tokens';
import { createThrottle } from './throttle';
import type { ThrottleOptions } from './throttle';
import { createTokenVerifier } from './token-verifier';
import type { AccessClaims } from './token-verifier';

/**
 * The embedded auth: the subset of Supabase Auth (GoTrue) that `@supabase/supabase-js`
 * needs for e-mail and password accounts, served under `/auth/v1` when no Supabase
 * project is configured (docs/protocol.md section 7). Sign-up confirms at once.
 *
 * Not served: PUT /user (no storage call updates a user yet), OTP, OAuth, MFA,
 * e-mail flows. `/.well-known/jwks.json` is an empty set: tokens are HS256 and a
 * symmetric key must never be published; verifiers use the shared secret instead.
 */
export interface EmbeddedAuthDeps {
  storage: Storage;
  /** Signs the access tokens (HS256); the token verifier must be given the same secret. */
  jwtSecret: string;
  accessTokenTtlSec: number;
  log?: Logger;
  /**
   * The server's public origin (e.g. `https://chat.example.com`); tokens get
   * `iss` = `${issuerBaseUrl}/auth/v1`. Default: the origin each request was sent to.
   */
  issuerBaseUrl?: string;
  /**
   * Per-IP throttle of sign-in and sign-up together; `false` turns it off.
   * Default 30 per 5 minutes, as Supabase's defaults.
   */
  signInRateLimit?: ThrottleOptions | false;
  /** Per-IP throttle of refresh-token grants; `false` turns it off. Default 150 per 5 minutes. */
  refreshRateLimit?: ThrottleOptions | false;
  /** Password hashing cost (tests may lower it). Default: password.ts's. */
  scryptParams?: ScryptParams;
}

export const PASSWORD_MIN_LENGTH = 6;
const PASSWORD_MAX_LENGTH = 1024;
const MAX_METADATA_BYTES = 4096;
const BODY_LIMIT_BYTES = 64 * 1024;

const Email = z
  .string({ error: 'An email address is required' })
  .trim()
  .toLowerCase()
  .max(254, { error: 'Unable to validate email address: invalid format' })
  .pipe(z.email({ error: 'Unable to validate email address: invalid format' }));
const Password = z
  .string({ error: 'A password is required' })
  .max(PASSWORD_MAX_LENGTH, { error: `Password cannot be longer than ${PASSWORD_MAX_LENGTH} characters` });

const SignupBody = z.looseObject({
  email: Email,
  password: Password,
  data: z
    .looseObject({
      display_name: z
        .string({ error: 'data.display_name must be a string' })
        .trim()
        .min(1, { error: 'data.display_name must not be empty' })
        .max(MAX_DISPLAY_NAME_LENGTH, {
          error: `data.display_name is over ${MAX_DISPLAY_NAME_LENGTH} characters`,
        })
        .optional(),
    })
    .nullish()
    .refine((data) => JSON.stringify(data ?? {}).length <= MAX_METADATA_BYTES, {
      error: `data is over ${MAX_METADATA_BYTES} bytes`,
    }),
});
const PasswordGrantBody = z.looseObject({ email: Email, password: Password });
const RefreshGrantBody = z.looseObject({
  refresh_token: z.string({ error: 'A refresh_token is required' }).min(1).max(512),
});
const LogoutQuery = z.looseObject({
  scope: z
    .enum(['global', 'local', 'others'], { error: 'scope must be global, local or others' })
    .default('global'),
});

export function registerEmbeddedAuth(app: FastifyInstance, deps: EmbeddedAuthDeps): void {
  const log: Pick<FastifyBaseLogger, 'info' | 'error'> = deps.log ?? app.log;
  const { storage } = deps;
  const sessions = createSessionTokens({
    storage,
    jwtSecret: deps.jwtSecret,
    accessTokenTtlSec: deps.accessTokenTtlSec,
  });
  const verifier = createTokenVerifier({ jwtSecret: deps.jwtSecret });
  const signInThrottle =
    deps.signInRateLimit === false
      ? null
      : createThrottle(deps.signInRateLimit ?? { limit: 30, windowMs: 300_000 });
  const refreshThrottle =
    deps.refreshRateLimit === false
      ? null
      : createThrottle(deps.refreshRateLimit ?? { limit: 150, windowMs: 300_000 });

  const issuerOf = (request: FastifyRequest) =>
    `${(deps.issuerBaseUrl ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '')}/auth/v1`;

  function throttle(limiter: typeof signInThrottle, request: FastifyRequest): void {
    const result = limiter?.take(request.ip);
    if (result && !result.ok) throw authErrors.rateLimited(result.retryAfterMs);
  }

  /** The verified claims of the request's Bearer access token. */
  async function bearerClaims(request: FastifyRequest): Promise<AccessClaims> {
    const token = bearerToken(request.headers.authorization);
    if (!token) throw authErrors.noAuthorization();
    const result = await verifier.verify(token);
    if (!result.ok) throw authErrors.badJwt(result.reason);
    return result.claims;
  }

  app.register(
    async (auth) => {
      // supabase-js posts `Content-Type: application/json` with no body on /logout:
      // an empty body is "no body" here, not a parse error.
      auth.removeContentTypeParser('application/json');
      auth.addContentTypeParser(
        'application/json',
        { parseAs: 'string', bodyLimit: BODY_LIMIT_BYTES },
        (_request, body, done) => {
          const text = typeof body === 'string' ? body : body.toString('utf8');
          if (text.trim() === '') return done(null, undefined);
          try {
            done(null, JSON.parse(text));
          } catch {
            done(authErrors.badJson(), undefined);
          }
        },
      );

      auth.setErrorHandler((error, request, reply) => {
        if (error instanceof GoTrueError) return sendGoTrueError(request, reply, error);
        const status = (error as { statusCode?: number }).statusCode ?? 500;
        if (status < 500) {
          const message = (error as Error).message || 'Bad request';
          return sendGoTrueError(
            request,
            reply,
            new GoTrueError(status, GoTrueErrorCode.ValidationFailed, message),
          );
        }
        log.error({ err: error, url: request.url }, 'embedded auth request failed');
        return sendGoTrueError(request, reply, authErrors.unexpected());
      });
      auth.setNotFoundHandler((request, reply) => sendGoTrueError(request, reply, authErrors.notFound()));
      auth.addHook('onSend', async (_request, reply) => {
        reply.header('cache-control', 'no-store');
      });

      auth.post('/signup', async (request) => {
        throttle(signInThrottle, request);
        const body = parse(SignupBody, request.body);
        if (Array.from(body.password).length < PASSWORD_MIN_LENGTH) {
          throw authErrors.weakPassword(PASSWORD_MIN_LENGTH);
        }
        const metadata: Record<string, unknown> = { ...body.data };
        const user = await storage.createPasswordUser({
          id: randomUUID(),
          email: body.email,
          display_name: displayNameOf(metadata, body.email),
          password_hash: await hashPassword(body.password, deps.scryptParams),
          user_metadata: metadata,
        });
        if (!user) throw authErrors.userExists();
        log.info({ user_id: user.id }, 'embedded auth: signed up');
        return goTrueSession(await sessions.start(user, issuerOf(request)));
      });

      auth.post('/token', async (request) => {
        const grantType = (request.query as { grant_type?: unknown }).grant_type;
        if (grantType === 'password') {
          throttle(signInThrottle, request);
          const body = parse(PasswordGrantBody, request.body);
          const user = await storage.findAuthUserByEmail(body.email);
          const matches = user?.password_hash
            ? await verifyPassword(body.password, user.password_hash)
            : await verifyDummyPassword(body.password);
          if (!user || !matches) {
            log.info({ ip: request.ip }, 'embedded auth: sign-in refused');
            throw authErrors.invalidCredentials();
          }
          log.info({ user_id: user.id }, 'embedded auth: signed in');
          return goTrueSession(await sessions.start(user, issuerOf(request)));
        }
        if (grantType === 'refresh_token') {
          throttle(refreshThrottle, request);
          const body = parse(RefreshGrantBody, request.body);
          const session = await sessions.refresh(body.refresh_token, issuerOf(request));
          if (!session) throw authErrors.refreshTokenNotFound();
          return goTrueSession(session);
        }
        throw authErrors.validation('Unsupported grant_type: use password or refresh_token');
      });

      auth.get('/user', async (request) => {
        const claims = await bearerClaims(request);
        const user = await storage.getAuthUser(claims.sub);
        if (!user) throw authErrors.userNotFound();
        return goTrueUser(user, signInTimeOf(claims));
      });

      auth.post('/logout', async (request, reply) => {
        const { scope } = parse(LogoutQuery, request.query);
        const claims = await bearerClaims(request);
        if (scope === 'others') {
          // The storage interface has no "all sessions but this one" call yet.
          throw authErrors.validation('scope=others is not supported by the embedded auth');
        }
        if (scope === 'local' && claims.session_id) await storage.revokeAuthSession(claims.session_id);
        else await storage.revokeUserAuthSessions(claims.sub);
        log.info({ user_id: claims.sub, scope }, 'embedded auth: signed out');
        return reply.code(204).send();
      });

      // HS256 keys are symmetric: publishing one would let anyone mint tokens. Empty on purpose.
      auth.get('/.well-known/jwks.json', async () => ({ keys: [] }));

      auth.get('/settings', async () => ({
        external: { email: true, phone: false, anonymous_users: false },
        disable_signup: false,
        mailer_autoconfirm: true,
        phone_autoconfirm: false,
        sms_provider: '',
        saml_enabled: false,
      }));

      auth.get('/health', async () => ({
        version: 'embedded',
        name: 'GoTrue',
        description: 'Supabase Auth subset embedded in the chat server',
      }));
    },
    { prefix: '/auth/v1' },
  );
}

/** Parses with zod; the first problem becomes GoTrue's `validation_failed`. */
function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  if (input === null || typeof input !== 'object') throw authErrors.validation('Could not read request body');
  const result = schema.safeParse(input);
  if (!result.success) throw authErrors.validation(result.error.issues[0]?.message ?? 'Invalid request');
  return result.data;
}

/** The sign-in time GoTrue stamps in `amr`; null when the token carries none. */
function signInTimeOf(claims: AccessClaims): Date | null {
  const amr = claims['amr'];
  const timestamp = Array.isArray(amr)
    ? (amr[0] as { timestamp?: unknown } | undefined)?.timestamp
    : undefined;
  return typeof timestamp === 'number' ? new Date(timestamp * 1000) : null;
}
