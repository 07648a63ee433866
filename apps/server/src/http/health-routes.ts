import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../metrics';
import type { Storage } from '../storage/storage';

/**
 * Liveness, readiness and Prometheus metrics. `/readyz`: 503 while shutting
 * down, while storage does not answer, and while the fan-out (Redis) was never
 * reached since the start; 200 `degraded` when the fan-out was lost later (this
 * process still serves its own connections); 200 `ready` otherwise. Every
 * refusal names its reason.
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  deps: {
    storage: Storage;
    metrics: Metrics;
    isShuttingDown: () => boolean;
    /** Why events may not reach other processes, and whether they ever did since the start. */
    fanOutProblem?: () => { reason: string; reached: boolean } | null;
  },
): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    if (deps.isShuttingDown()) {
      return reply.status(503).send({ status: 'shutting_down' });
    }
    try {
      await deps.storage.ping();
    } catch (error) {
      _request.log.warn({ err: error }, 'readiness check failed');
      const reason = error instanceof Error ? error.message : String(error);
      return reply.status(503).send({ status: 'storage_unavailable', reason });
    }
    const fanOut = deps.fanOutProblem?.() ?? null;
    if (fanOut && !fanOut.reached) {
      return reply.status(503).send({ status: 'fan_out_unavailable', reason: fanOut.reason });
    }
    if (fanOut) return { status: 'degraded', storage: deps.storage.kind, reason: fanOut.reason };
    return { status: 'ready', storage: deps.storage.kind };
  });

  app.get('/metrics', async (_request, reply) => {
    const text = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(text);
  });
}
