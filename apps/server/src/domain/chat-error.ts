import { ErrorCode } from '@chat/protocol';
import type { Rejection } from './rejection';

/**
 * An error that is part of the contract: a code from docs/protocol.md and a message a
 * person can read. Handlers return or throw these; the edges (the socket, the
 * REST error handler) turn them into `error` frames or `{error:{code,message}}`.
 */
export class ChatError extends Error {
  override name = 'ChatError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  /** A rule's refusal, to be thrown to the edge that answers it. */
  static from(rejection: Rejection): ChatError {
    return new ChatError(rejection.code, rejection.message);
  }
}

export const badRequest = (message: string) => new ChatError(ErrorCode.BadRequest, message);
export const unauthorized = (message: string) => new ChatError(ErrorCode.Unauthorized, message);
export const forbidden = (message: string) => new ChatError(ErrorCode.Forbidden, message);
export const notFound = (message: string) => new ChatError(ErrorCode.NotFound, message);

/** Anything that is not a ChatError is a bug or an outage: reported as `internal`, logged in full. */
export function toChatError(error: unknown): ChatError {
  if (error instanceof ChatError) return error;
  return new ChatError(ErrorCode.Internal, 'internal server error');
}
