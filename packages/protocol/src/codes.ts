/** Error codes carried by `error` frames and REST error bodies (docs/protocol.md section 4). */
export const ErrorCode = {
  BadRequest: 'bad_request',
  Unauthorized: 'unauthorized',
  Forbidden: 'forbidden',
  NotFound: 'not_found',
  Conflict: 'conflict',
  RateLimited: 'rate_limited',
  Internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const ERROR_CODES = Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]];

/** The HTTP status that goes with each error code on the REST API. */
export const HTTP_STATUS_BY_ERROR: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  internal: 500,
};

/** WebSocket close codes (docs/protocol.md section 6). */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  TooBig: 1009,
  ServerError: 1011,
  TooSlow: 1013,
  Unauthorized: 4001,
  AuthTimeout: 4008,
  Flooding: 4029,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** What a client should do after each close code. */
export type CloseAction = 'stay_closed' | 'reconnect' | 'refresh_token' | 'reconnect_after_pause';

export function closeAction(code: number): CloseAction {
  switch (code) {
    case CloseCode.Normal:
      return 'stay_closed';
    case CloseCode.Unauthorized:
      return 'refresh_token';
    case CloseCode.Flooding:
      return 'reconnect_after_pause';
    default:
      // 1001, 1006 (abnormal), 1009, 1011, 1013, 4008 and anything unknown: reconnect.
      return 'reconnect';
  }
}
