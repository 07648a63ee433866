import type { ErrorCode } from '@chat/protocol';

/**
 * Codes a ChatError can carry: the wire's error codes (docs/protocol.md section 4) plus
 * two of the client's own:
 * - `disconnected`: the socket was not open, or died before the reply came. Retryable.
 * - `network`: a REST request failed before any answer (offline, DNS, refused). Retryable.
 * - `too_large`: a file over the upload limit (the server's 413, or refused before sending).
 * - `aborted`: an upload stopped through its AbortSignal.
 */
export type ChatErrorCode = ErrorCode | 'disconnected' | 'network' | 'too_large' | 'aborted';

/** Every failure the client reports: an `error` frame, a REST error body, or a lost socket. */
export class ChatError extends Error {
  override readonly name = 'ChatError';
  readonly code: ChatErrorCode;
  /** For `rate_limited`: how long to wait before trying again. */
  readonly retryAfterMs: number | undefined;

  constructor(code: ChatErrorCode, message: string, retryAfterMs?: number) {
    super(message);
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }

  /** Whether the same request may succeed later without a change (lost socket, rate limit, server hiccup). */
  get retryable(): boolean {
    return (
      this.code === 'disconnected' ||
      this.code === 'network' ||
      this.code === 'rate_limited' ||
      this.code === 'internal'
    );
  }

  /** Plain `{code, message}`, as stored on a failed PendingMessage. */
  toJSON(): { code: string; message: string } {
    return { code: this.code, message: this.message };
  }
}

export function disconnectedError(): ChatError {
  return new ChatError('disconnected', 'not connected');
}
