import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { systemClock, type Clock } from '../clock';
import type { AuthUser, AuthUserChanges, OneTimeTokenPurpose, Storage } from '../storage/storage';
import { MAX_DISPLAY_NAME_LENGTH, displayNameOf, normalizeDisplayName } from './display-name';
import { GoTrueError, GoTrueErrorCode, authErrors, sendGoTrueError } from './gotrue-errors';
import { goTrueSession, goTrueUser } from './gotrue-shapes';
import type { Mailer } from './mailer';
import { hashPassword, verifyDummyPassword, verifyPassword } from './password';
import type { ScryptParams } from './password';
import { checkPassword, createPasswordPolicy, type PasswordPolicy } from './password-policy';
import { bearerToken } from './request-auth';
import { createSessionTokens, type IssuedSession } from './session-tokens';
import { createSignInThrottle } from './sign-in-throttle';
import { createThrottle } from './throttle';
import type { ThrottleOptions } from './throttle';
import { createTokenVerifier } from './token-verifier';
import type { AccessClaims, TokenVerifier } from './token-verifier';

/**
 * The embedded auth: the subset of Supabase Auth (GoTrue) that `@supabase/supabase-js`
 * needs for e-mail and password accounts, served under `/auth/v1` when no Supabase
 * project is configured (docs/protocol.md section 7). Sign-up confirms at once.
 *
 * Not served: OTP sign-in, OAuth, MFA, PKCE (recovery links use the implicit flow).
 * `/.well-known/jwks.json` is an empty set: tokens are HS256 and a symmetric key must
 * never be published; verifiers use the shared secret instead.
 */
export interface EmbeddedAuthDeps {
  storage: Storage;
  /** Signs the access tokens (HS256); the token verifier must be given the same secret. */
  jwtSecret: string;
  accessTokenTtlSec: number;
  log?: Logger;
  /**
   * The server's public origin (e.g. `https://chat.example.com`); tokens get
   * `iss` = `${issuerBaseUrl}/auth/v1`, links in e-mails point there. Default: the
   * origin each request was sent to.
   */
  issuerBaseUrl?: string;
  /**
   * Per-IP throttle of sign-ups, recovery requests and verifications; `false` turns
   * it off. Default 30 per 5 minutes, as Supabase's defaults.
   */
  signInRateLimit?: ThrottleOptions | false;
  /** Per-IP throttle of refresh-token grants; `false` turns it off. Default 150 per 5 minutes. */
  refreshRateLimit?: ThrottleOptions | false;
  /**
   * Password guessing (sign-in-throttle.ts): failures per account and per address
   * before the doubling delay starts, and its ceiling. Default 5, 30, 300 s.
   */
  guessing?: { accountFreeFailures: number; addressFreeFailures: number; maxDelayMs: number };
  /** Password hashing cost (tests may lower it). Default: password.ts's. */
  scryptParams?: ScryptParams;
  /** Default: 8 code points and the built-in list of common passwords. */
  passwordPolicy?: PasswordPolicy;
  /** Recovery and e-mail change messages; without one, the link is logged for the operator. */
  mailer?: Mailer | null;
  /** Lifetime of recovery and e-mail change links and codes. Default 1 hour, as GoTrue. */
  oneTimeTokenTtlSec?: number;
  /** Verifies Bearer tokens; server.ts hands in the one that also refuses signed-out sessions. */
  verifier?: TokenVerifier;
  /** Told the sessions each sign-out revokes (the gateway closes their sockets). */
  onSessionsRevoked?: (sessionIds: readonly string[]) => void;
  clock?: Pick<Clock, 'now'>;
}

const PASSWORD_MAX_LENGTH = 1024;
const MAX_METADATA_BYTES = 4096;
const BODY_LIMIT_BYTES = 64 * 1024;
/** GoTrue's SMTP_MAX_FREQUENCY default: one recovery e-mail per address per minute. */
const EMAIL_INTERVAL_MS = 60_000;
/** Wrong codes a recovery code survives: 6 digits against 5 guesses. */
const MAX_CODE_ATTEMPTS = 5;
const DEFAULT_ONE_TIME_TTL_SEC = 3600;

const Email = z
  .string({ error: 'An email address is required' })
  .trim()
  .toLowerCase()
  .max(254, { error: 'Unable to validate email address: invalid format' })
  .pipe(z.email({ error: 'Unable to validate email address: invalid format' }));
const Password = z
  .string({ error: 'A password is required' })
  .max(PASSWORD_MAX_LENGTH, { error: `Password cannot be longer than ${PASSWORD_MAX_LENGTH} characters` });
const Metadata = z
  .record(z.string(), z.unknown(), { error: 'data must be an object' })
  .refine((data) => JSON.stringify(data).length <= MAX_METADATA_BYTES, {
    error: `data is over ${MAX_METADATA_BYTES} bytes`,
  });
const DisplayName = z
  .string({ error: 'data.display_name must be a string' })
  .max(MAX_DISPLAY_NAME_LENGTH * 4, {
    error: `data.display_name is over ${MAX_DISPLAY_NAME_LENGTH} characters`,
  })
  .transform(normalizeDisplayName)
  .refine((name) => name !== '', { error: 'data.display_name must not be empty' });

const SignupBody = z.looseObject({ email: Email, password: Password, data: Metadata.nullish() });
const PasswordGrantBody = z.looseObject({ email: Email, password: Password });
const RefreshGrantBody = z.looseObject({
  refresh_token: z.string({ error: 'A refresh_token is required' }).min(1).max(512),
});
const LogoutQuery = z.looseObject({
  scope: z
    .enum(['global', 'local', 'others'], { error: 'scope must be global, local or others' })
    .default('global'),
});
const UpdateUserBody = z.looseObject({
  email: Email.optional(),
  password: Password.optional(),
  data: Metadata.nullish(),
});
const RecoverBody = z.looseObject({ email: Email });
const RedirectQuery = z.looseObject({ redirect_to: z.string().max(2048).optional() });
const VerifyType = z.enum(['recovery', 'email_change'], { error: 'Verify requires a verification type' });
const VerifyBody = z.looseObject({
  type: VerifyType,
  token: z.string().max(64).optional(),
  token_hash: z.string().max(128).optional(),
  email: Email.optional(),
});
const VerifyQuery = z.looseObject({
  type: VerifyType,
  token: z.string().min(1).max(128),
  redirect_to: z.string().max(2048).optional(),
});

export function registerEmbeddedAuth(app: FastifyInstance, deps: EmbeddedAuthDeps): void {
  const log: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'> = deps.log ?? app.log;
  const { storage } = deps;
  const clock = deps.clock ?? systemClock;
  const now = () => new Date(clock.now());
  const sessions = createSessionTokens({
    storage,
    jwtSecret: deps.jwtSecret,
    accessTokenTtlSec: deps.accessTokenTtlSec,
    now: clock.now,
  });
  const verifier = deps.verifier ?? createTokenVerifier({ jwtSecret: deps.jwtSecret, now: clock.now });
  const policy = deps.passwordPolicy ?? createPasswordPolicy();
  const oneTimeTtlMs = (deps.oneTimeTokenTtlSec ?? DEFAULT_ONE_TIME_TTL_SEC) * 1000;
  const requestThrottle =
    deps.signInRateLimit === false
      ? null
      : createThrottle(deps.signInRateLimit ?? { limit: 30, windowMs: 300_000 });
  const refreshThrottle =
    deps.refreshRateLimit === false
      ? null
      : createThrottle(deps.refreshRateLimit ?? { limit: 150, windowMs: 300_000 });
  const guessing = createSignInThrottle({
    ...(deps.guessing ?? { accountFreeFailures: 5, addressFreeFailures: 30, maxDelayMs: 300_000 }),
    now: clock.now,
  });
  const emailThrottle = createThrottle({ limit: 1, windowMs: EMAIL_INTERVAL_MS });
  const revoked = (sessionIds: readonly string[]) => {
    if (sessionIds.length > 0) deps.onSessionsRevoked?.(sessionIds);
  };

  const siteOf = (request: FastifyRequest) =>
    (deps.issuerBaseUrl ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '');
  const issuerOf = (request: FastifyRequest) => `${siteOf(request)}/auth/v1`;

  function throttle(limiter: typeof requestThrottle, request: FastifyRequest): void {
    const result = limiter?.take(request.ip, clock.now());
    if (result && !result.ok) throw authErrors.rateLimited(result.retryAfterMs);
  }

  /** The verified claims of the request's Bearer access token; a signed-out session is GoTrue's 403. */
  async function bearerClaims(request: FastifyRequest): Promise<AccessClaims> {
    const token = bearerToken(request.headers.authorization);
    if (!token) throw authErrors.noAuthorization();
    const result = await verifier.verify(token);
    if (!result.ok) {
      throw result.code === 'session_not_found'
        ? authErrors.sessionNotFound()
        : authErrors.badJwt(result.reason);
    }
    return result.claims;
  }

  async function bearerUser(request: FastifyRequest): Promise<{ claims: AccessClaims; user: AuthUser }> {
    const claims = await bearerClaims(request);
    const user = await storage.getAuthUser(claims.sub);
    if (!user) throw authErrors.userNotFound();
    return { claims, user };
  }

  /** Only this site's own pages: anything else would make recovery links an open redirect. */
  function redirectTarget(request: FastifyRequest, wanted: string | undefined): string {
    const site = siteOf(request);
    if (!wanted) return `${site}/`;
    try {
      const url = new URL(wanted, `${site}/`);
      return url.origin === new URL(site).origin ? url.href.replace(/#.*$/, '') : `${site}/`;
    } catch {
      return `${site}/`;
    }
  }

  /** Issues a link token and a 6-digit code for `purpose`, and sends them (or logs the link). */
  async function sendOneTimeToken(
    request: FastifyRequest,
    user: AuthUser,
    purpose: OneTimeTokenPurpose,
    to: string,
    newEmail: string | null,
  ): Promise<void> {
    const token = randomBytes(32).toString('base64url');
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const issuedAt = now();
    await storage.createOneTimeToken(
      {
        token_hash: sha256(token),
        code_hash: codeHash(user.id, code),
        user_id: user.id,
        purpose,
        new_email: newEmail,
        expires_at: new Date(issuedAt.getTime() + oneTimeTtlMs),
      },
      issuedAt,
    );
    const redirect = redirectTarget(request, parse(RedirectQuery, request.query).redirect_to);
    const link = `${issuerOf(request)}/verify?${new URLSearchParams({ token, type: purpose, redirect_to: redirect })}`;
    if (!deps.mailer) {
      // No SMTP: the operator hands the link over by other means (docs/security.md).
      log.warn(
        { user_id: user.id, purpose, [purpose === 'recovery' ? 'recovery_link' : 'email_change_link']: link },
        'embedded auth: no SMTP_URL, so this link was not e-mailed',
      );
      return;
    }
    const minutes = Math.round(oneTimeTtlMs / 60_000);
    const mail =
      purpose === 'recovery'
        ? {
            subject: 'Reset your password',
            text: `Follow this link to choose a new password:\n\n${link}\n\nOr enter this code: ${code}\n\nIt works once, for ${minutes} minutes. If you did not ask for it, ignore this e-mail.`,
          }
        : {
            subject: 'Confirm your new e-mail address',
            text: `Follow this link to make ${to} the address of your account:\n\n${link}\n\nIt works once, for ${minutes} minutes. If you did not ask for it, ignore this e-mail.`,
          };
    // Not awaited: the answer must not take longer for real accounts than for unknown ones.
    deps.mailer
      .send({ to, ...mail, html: `<p>${escapeHtml(mail.text).replace(/\n/g, '<br>')}</p>` })
      .catch((error: unknown) =>
        log.error({ err: error, user_id: user.id, purpose }, 'embedded auth: e-mail failed'),
      );
  }

  /** Applies a verified one-time token: a recovery signs in, an e-mail change changes the address. */
  async function completeVerification(
    request: FastifyRequest,
    purpose: OneTimeTokenPurpose,
    used: { user_id: string; new_email: string | null },
  ): Promise<IssuedSession> {
    let user = await storage.getAuthUser(used.user_id);
    if (!user) throw authErrors.otpExpired();
    if (purpose === 'email_change' && used.new_email) {
      const changed = await storage.updateAuthUser(user.id, { email: used.new_email }, now());
      if (changed === 'email_taken') throw authErrors.emailExists();
      if (!changed) throw authErrors.otpExpired();
      user = changed;
    }
    log.info({ user_id: user.id, purpose }, 'embedded auth: verified');
    guessing.succeeded(user.email, request.ip);
    return sessions.start(user, issuerOf(request));
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

      // Enumeration: a taken e-mail answers user_already_exists, as GoTrue does with
      // autoconfirm on (there is no confirmation e-mail to hide behind); sign-in,
      // recovery and verification answer alike for known and unknown addresses.
      auth.post('/signup', async (request) => {
        throttle(requestThrottle, request);
        const body = parse(SignupBody, request.body);
        const metadata: Record<string, unknown> = { ...body.data };
        if (metadata['display_name'] !== undefined) {
          metadata['display_name'] = parseField(DisplayName, metadata['display_name']);
        }
        const weak = checkPassword(policy, body.password, body.email);
        if (weak) throw weak;
        const user = await storage.createPasswordUser({
          id: randomUUID(),
          email: body.email,
          display_name: displayNameOf(metadata, body.email),
          password_hash: await hashPassword(body.password, deps.scryptParams),
          user_metadata: metadata,
        });
        if (!user) throw authErrors.userExists();
        guessing.succeeded(user.email, request.ip);
        log.info({ user_id: user.id }, 'embedded auth: signed up');
        return goTrueSession(await sessions.start(user, issuerOf(request)));
      });

      auth.post('/token', async (request) => {
        const grantType = (request.query as { grant_type?: unknown }).grant_type;
        if (grantType === 'password') {
          const body = parse(PasswordGrantBody, request.body);
          const wait = guessing.attempt(body.email, request.ip);
          if (wait > 0) {
            log.info({ ip: request.ip }, 'embedded auth: sign-in delayed');
            throw authErrors.rateLimited(wait);
          }
          const user = await storage.findAuthUserByEmail(body.email);
          const matches = user?.password_hash
            ? await verifyPassword(body.password, user.password_hash)
            : await verifyDummyPassword(body.password);
          if (!user || !matches) {
            log.info({ ip: request.ip }, 'embedded auth: sign-in refused');
            throw authErrors.invalidCredentials();
          }
          guessing.succeeded(body.email, request.ip);
          log.info({ user_id: user.id }, 'embedded auth: signed in');
          return goTrueSession(await sessions.start(user, issuerOf(request)));
        }
        if (grantType === 'refresh_token') {
          throttle(refreshThrottle, request);
          const body = parse(RefreshGrantBody, request.body);
          const outcome = await sessions.refresh(body.refresh_token, issuerOf(request));
          if (outcome.status === 'issued') return goTrueSession(outcome.session);
          if (outcome.status === 'reused') {
            log.warn(
              { user_id: outcome.user_id, session_id: outcome.session_id, ip: request.ip },
              'embedded auth: refresh token reused after rotation; session revoked',
            );
            revoked([outcome.session_id]);
            throw authErrors.refreshTokenAlreadyUsed();
          }
          throw authErrors.refreshTokenNotFound();
        }
        throw authErrors.validation('Unsupported grant_type: use password or refresh_token');
      });

      auth.get('/user', async (request) => {
        const { claims, user } = await bearerUser(request);
        return goTrueUser(user, signInTimeOf(claims));
      });

      auth.put('/user', async (request) => {
        const body = parse(UpdateUserBody, request.body);
        const { claims, user } = await bearerUser(request);
        const changes: AuthUserChanges = {};
        if (body.data) {
          const metadata = { ...user.user_metadata };
          for (const [key, value] of Object.entries(body.data)) {
            if (value === null) delete metadata[key];
            else metadata[key] = key === 'display_name' ? parseField(DisplayName, value) : value;
          }
          if (JSON.stringify(metadata).length > MAX_METADATA_BYTES) {
            throw authErrors.validation(`data is over ${MAX_METADATA_BYTES} bytes`);
          }
          changes.user_metadata = metadata;
          changes.display_name = displayNameOf(metadata, user.email);
        }
        if (body.password !== undefined) {
          const weak = checkPassword(policy, body.password, body.email ?? user.email);
          if (weak) throw weak;
          if (user.password_hash && (await verifyPassword(body.password, user.password_hash))) {
            throw authErrors.samePassword();
          }
          changes.password_hash = await hashPassword(body.password, deps.scryptParams);
        }
        const emailChange = body.email !== undefined && body.email !== user.email ? body.email : null;
        if (emailChange && !deps.mailer) changes.email = emailChange;

        const updated = await storage.updateAuthUser(user.id, changes, now());
        if (updated === 'email_taken') throw authErrors.emailExists();
        if (!updated) throw authErrors.userNotFound();
        if (changes.password_hash) {
          // As GoTrue: a new password signs out every other session (a thief's included).
          revoked(await storage.revokeUserAuthSessions(user.id, claims.session_id));
        }
        let pending: { email: string; sentAt: Date } | undefined;
        if (emailChange && deps.mailer) {
          if (await storage.findAuthUserByEmail(emailChange)) throw authErrors.emailExists();
          await sendOneTimeToken(request, updated, 'email_change', emailChange, emailChange);
          pending = { email: emailChange, sentAt: now() };
        }
        log.info(
          { user_id: user.id, changed: Object.keys(changes), email_change: emailChange !== null },
          'embedded auth: user updated',
        );
        return goTrueUser(updated, signInTimeOf(claims), pending);
      });

      auth.post('/recover', async (request) => {
        throttle(requestThrottle, request);
        const { email } = parse(RecoverBody, request.body);
        // Known or not, an address gets one e-mail a minute: the answer says nothing of the account.
        const slot = emailThrottle.take(email, clock.now());
        if (!slot.ok) throw authErrors.emailRateLimited(slot.retryAfterMs);
        const user = await storage.findAuthUserByEmail(email);
        if (user?.password_hash) await sendOneTimeToken(request, user, 'recovery', user.email, null);
        else log.info({ ip: request.ip }, 'embedded auth: recovery for an unknown e-mail');
        return {};
      });

      auth.post('/verify', async (request) => {
        throttle(requestThrottle, request);
        const body = parse(VerifyBody, request.body);
        let used: { user_id: string; new_email: string | null } | null = null;
        if (body.token_hash) {
          used = await storage.consumeOneTimeToken(
            { token_hash: sha256(body.token_hash) },
            body.type,
            now(),
            1,
          );
        } else if (body.token && body.email && body.type === 'recovery') {
          const user = await storage.findAuthUserByEmail(body.email);
          used = user
            ? await storage.consumeOneTimeToken(
                { user_id: user.id, code_hash: codeHash(user.id, body.token.trim()) },
                body.type,
                now(),
                MAX_CODE_ATTEMPTS,
              )
            : null;
        } else {
          throw authErrors.validation('Verify requires a token_hash, or a token and an email');
        }
        if (!used) throw authErrors.otpExpired();
        return goTrueSession(await completeVerification(request, body.type, used));
      });

      // The link in the e-mail: GoTrue's implicit flow, the session in the URL fragment
      // (supabase-js's detectSessionInUrl reads it; fragments never reach servers or logs).
      auth.get('/verify', async (request, reply) => {
        throttle(requestThrottle, request);
        const query = parse(VerifyQuery, request.query);
        const target = redirectTarget(request, query.redirect_to);
        const used = await storage.consumeOneTimeToken(
          { token_hash: sha256(query.token) },
          query.type,
          now(),
          1,
        );
        if (!used) {
          const fragment = new URLSearchParams({
            error: 'access_denied',
            error_code: 'otp_expired',
            error_description: 'Email link is invalid or has expired',
          });
          return reply.redirect(`${target}#${fragment}`, 303);
        }
        const session = await completeVerification(request, query.type, used);
        const fragment = new URLSearchParams({
          access_token: session.access_token,
          expires_at: String(session.expires_at),
          expires_in: String(session.expires_in),
          refresh_token: session.refresh_token,
          token_type: 'bearer',
          type: query.type,
        });
        return reply.redirect(`${target}#${fragment}`, 303);
      });

      auth.post('/logout', async (request, reply) => {
        const { scope } = parse(LogoutQuery, request.query);
        const claims = await bearerClaims(request);
        let ids: readonly string[];
        if (scope === 'local') {
          if (claims.session_id) await storage.revokeAuthSession(claims.session_id);
          ids = claims.session_id ? [claims.session_id] : [];
        } else {
          ids = await storage.revokeUserAuthSessions(
            claims.sub,
            scope === 'others' ? (claims.session_id ?? '') : undefined,
          );
        }
        revoked(ids);
        log.info({ user_id: claims.sub, scope, sessions: ids.length }, 'embedded auth: signed out');
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
  return parseField(schema, input);
}

function parseField<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (!result.success) throw authErrors.validation(result.error.issues[0]?.message ?? 'Invalid request');
  return result.data;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Salted by the user id: the same 6 digits of two users hash differently. */
function codeHash(userId: string, code: string): string {
  return sha256(`${userId}:${code}`);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The sign-in time GoTrue stamps in `amr`; null when the token carries none. */
function signInTimeOf(claims: AccessClaims): Date | null {
  const amr = claims['amr'];
  const timestamp = Array.isArray(amr)
    ? (amr[0] as { timestamp?: unknown } | undefined)?.timestamp
    : undefined;
  return typeof timestamp === 'number' ? new Date(timestamp * 1000) : null;
}
