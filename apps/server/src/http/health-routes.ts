import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../metrics';
import type { Storage } from '../storage/storage';

/** Liveness, readiness (storage answers) and Prometheus metrics. */
export function registerHealthRoutes(
  app: FastifyInstance,
  deps: { storage: Storage; metrics: Metrics; isShuttingDown: () => boolean },
): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    if (deps.isShuttingDown()) {
      return reply.status(503).send({ status: 'shutting_down' });
    }
    try {
      await deps.storage.ping();
      return { status: 'ready', storage: deps.storage.kind };
    } catch (error) {
      _request.log.warn({ err: error }, 'readiness check failed');
      return reply.status(503).send({ status: 'storage_unavailable' });
    }
  });

  app.get('/metrics', async (_request, reply) => {
    const text = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(text);
  });
}
