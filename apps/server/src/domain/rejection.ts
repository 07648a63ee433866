import type { ErrorCode } from '@chat/protocol';

/**
 * A business rule said no. Storage returns these as values inside its
 * transaction (one refused item of a batch does not fail the others); the edges
 * turn them into `error` frames or JSON error bodies.
 */
export interface Rejection {
  status: 'rejected';
  code: ErrorCode;
  message: string;
}

export const reject = (code: ErrorCode, message: string): Rejection => ({
  status: 'rejected',
  code,
  message,
});
