import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Errors of the embedded auth, in the shape Supabase Auth (GoTrue) sends, so that
 * `@supabase/supabase-js` turns them into `AuthApiError`s with the right `code`
 * (and `AuthWeakPasswordError` for `weak_password`).
 *
 * GoTrue negotiates the body by the `X-Supabase-Api-Version` request header:
 * - `2024-01-01` or later (supabase-js always sends it): the header is echoed and
 *   the body is `{code: 'error_code', message}`;
 * - absent (curl, old clients): `{code: <HTTP status>, error_code, msg}`.
 * Both carry the code in the `x-sb-error-code` header too.
 */
export const GoTrueErrorCode = {
  ValidationFailed: 'validation_failed',
  BadJson: 'bad_json',
  InvalidCredentials: 'invalid_credentials',
  UserAlreadyExists: 'user_already_exists',
  WeakPassword: 'weak_password',
  RefreshTokenNotFound: 'refresh_token_not_found',
  NoAuthorization: 'no_authorization',
  BadJwt: 'bad_jwt',
  UserNotFound: 'user_not_found',
  OverRequestRateLimit: 'over_request_rate_limit',
  OverEmailSendRateLimit: 'over_email_send_rate_limit',
  SessionNotFound: 'session_not_found',
  RefreshTokenAlreadyUsed: 'refresh_token_already_used',
  SamePassword: 'same_password',
  EmailExists: 'email_exists',
  OtpExpired: 'otp_expired',
  NotFound: 'not_found',
  UnexpectedFailure: 'unexpected_failure',
} as const;
export type GoTrueErrorCode = (typeof GoTrueErrorCode)[keyof typeof GoTrueErrorCode];

export class GoTrueError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: GoTrueErrorCode,
    message: string,
    readonly extra: {
      /** `weak_password` only: why the password was refused. */
      reasons?: string[];
      /** `over_request_rate_limit` only: sent as `Retry-After` (seconds, rounded up). */
      retryAfterMs?: number;
    } = {},
  ) {
    super(message);
    this.name = 'GoTrueError';
  }
}

/** The one factory for the errors the routes raise, named after GoTrue's messages. */
export const authErrors = {
  validation: (message: string) => new GoTrueError(400, GoTrueErrorCode.ValidationFailed, message),
  badJson: () => new GoTrueError(400, GoTrueErrorCode.BadJson, 'Could not parse request body as JSON'),
  invalidCredentials: () =>
    new GoTrueError(400, GoTrueErrorCode.InvalidCredentials, 'Invalid login credentials'),
  userExists: () => new GoTrueError(422, GoTrueErrorCode.UserAlreadyExists, 'User already registered'),
  weakPassword: (minLength: number) =>
    new GoTrueError(
      422,
      GoTrueErrorCode.WeakPassword,
      `Password should be at least ${minLength} characters.`,
      { reasons: ['length'] },
    ),
  refreshTokenNotFound: () =>
    new GoTrueError(
      400,
      GoTrueErrorCode.RefreshTokenNotFound,
      'Invalid Refresh Token: Refresh Token Not Found',
    ),
  noAuthorization: () =>
    new GoTrueError(401, GoTrueErrorCode.NoAuthorization, 'This endpoint requires a valid Bearer token'),
  badJwt: (reason: string) => new GoTrueError(403, GoTrueErrorCode.BadJwt, `invalid JWT: ${reason}`),
  userNotFound: () =>
    new GoTrueError(403, GoTrueErrorCode.UserNotFound, 'User from sub claim in JWT does not exist'),
  rateLimited: (retryAfterMs: number) =>
    new GoTrueError(429, GoTrueErrorCode.OverRequestRateLimit, 'Request rate limit reached', {
      retryAfterMs,
    }),
  emailRateLimited: (retryAfterMs: number) =>
    new GoTrueError(
      429,
      GoTrueErrorCode.OverEmailSendRateLimit,
      `For security purposes, you can only request this after ${Math.max(1, Math.ceil(retryAfterMs / 1000))} seconds.`,
      { retryAfterMs },
    ),
  sessionNotFound: () =>
    new GoTrueError(
      403,
      GoTrueErrorCode.SessionNotFound,
      'Session from session_id claim in JWT does not exist',
    ),
  refreshTokenAlreadyUsed: () =>
    new GoTrueError(400, GoTrueErrorCode.RefreshTokenAlreadyUsed, 'Invalid Refresh Token: Already Used'),
  samePassword: () =>
    new GoTrueError(
      422,
      GoTrueErrorCode.SamePassword,
      'New password should be different from the old password.',
    ),
  emailExists: () =>
    new GoTrueError(
      422,
      GoTrueErrorCode.EmailExists,
      'A user with this email address has already been registered',
    ),
  otpExpired: () => new GoTrueError(403, GoTrueErrorCode.OtpExpired, 'Token has expired or is invalid'),
  notFound: () => new GoTrueError(404, GoTrueErrorCode.NotFound, 'Not found'),
  unexpected: () => new GoTrueError(500, GoTrueErrorCode.UnexpectedFailure, 'Unexpected failure'),
};

const API_VERSION_HEADER = 'x-supabase-api-version';
const API_VERSION_2024 = '2024-01-01';

export function sendGoTrueError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: GoTrueError,
): FastifyReply {
  reply.code(error.status).header('x-sb-error-code', error.errorCode).header('cache-control', 'no-store');
  const { reasons, retryAfterMs } = error.extra;
  if (retryAfterMs !== undefined) {
    reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  }
  const weakPassword = reasons ? { weak_password: { reasons } } : {};
  if (wantsVersionedErrors(request)) {
    reply.header('X-Supabase-Api-Version', API_VERSION_2024);
    return reply.send({ code: error.errorCode, message: error.message, ...weakPassword });
  }
  return reply.send({ code: error.status, error_code: error.errorCode, msg: error.message, ...weakPassword });
}

/** `YYYY-MM-DD` on or after 2024-01-01 (the only version GoTrue knows so far). */
function wantsVersionedErrors(request: FastifyRequest): boolean {
  const value = request.headers[API_VERSION_HEADER];
  const version = Array.isArray(value) ? value[0] : value;
  return typeof version === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(version) && version >= API_VERSION_2024;
}
