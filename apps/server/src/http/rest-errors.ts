import { HTTP_STATUS_BY_ERROR, type ErrorBody } from '@chat/protocol';
import type { FastifyError, FastifyInstance } from 'fastify';
import { ChatError } from '../domain/chat-error';
import type { Metrics } from '../metrics';

/** Every REST error leaves as `{error:{code, message}}` with the matching status. */
export function installErrorHandlers(app: FastifyInstance, metrics: Metrics): void {
  app.setErrorHandler((error: FastifyError | ChatError | Error, request, reply) => {
    const { status, body } = toErrorResponse(error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    metrics.errors.inc({ code: body.error.code });
    return reply.status(status).send(body);
  });
}

export function errorBody(code: ErrorBody['error']['code'], message: string): ErrorBody {
  return { error: { code, message } };
}

function toErrorResponse(error: FastifyError | ChatError | Error): { status: number; body: ErrorBody } {
  if (error instanceof ChatError) {
    return { status: HTTP_STATUS_BY_ERROR[error.code], body: errorBody(error.code, error.message) };
  }
  const statusCode = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
  if (statusCode === 413) return { status: 413, body: errorBody('bad_request', 'request body too large') };
  if (statusCode === 415) return { status: 415, body: errorBody('bad_request', 'send JSON') };
  if (statusCode === 429) return { status: 429, body: errorBody('rate_limited', error.message) };
  if (statusCode >= 400 && statusCode < 500) {
    return { status: 400, body: errorBody('bad_request', error.message) };
  }
  return { status: 500, body: errorBody('internal', 'internal server error') };
}
