import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PrivatePostgres, PrivateRedis, enginesUnavailableReason } from './support/engines';
import { print } from './support/figures';
import { FaultServer } from './support/server';
import { waitFor } from './support/wait';

/**
 * A process started while its PostgreSQL and its Redis are down does not exit:
 * it serves /healthz, answers /readyz 503 with the reason, and becomes ready by
 * itself once both are back (issue 12, acceptance 4).
 */
const unavailable = enginesUnavailableReason();
if (unavailable) print(`faults[start-before-engines]: skipped: ${unavailable}`);

async function probe(
  server: FaultServer,
  path: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe.skipIf(unavailable !== null)('a process started before its engines', () => {
  let pg: PrivatePostgres;
  let redis: PrivateRedis;
  let server: FaultServer | null = null;

  beforeAll(async () => {
    pg = await PrivatePostgres.start();
    redis = await PrivateRedis.start();
  });
  afterAll(async () => {
    await server?.dispose();
    await redis?.dispose();
    pg?.dispose();
  });

  test('PostgreSQL and Redis down at start: healthy, not ready with the reason, then ready by itself when both return', async () => {
    pg.stop('immediate');
    await redis.stop();
    server = await FaultServer.start({ DATABASE_URL: pg.url, REDIS_URL: redis.url, LOG_LEVEL: 'fatal' });
    expect((await probe(server, '/healthz')).status).toBe(200);
    const notReady = await probe(server, '/readyz');
    expect(notReady.status).toBe(503);
    print(`faults[start-before-engines]: /readyz while both are down: ${JSON.stringify(notReady.body)}`);
    expect(typeof notReady.body.status).toBe('string');

    pg.start();
    await redis.start();
    const started = performance.now();
    await waitFor(async () => (await probe(server!, '/readyz')).status === 200, 30_000);
    print(
      `faults[start-before-engines]: ready ${((performance.now() - started) / 1000).toFixed(1)} s after both returned`,
    );
    expect((await probe(server, '/readyz')).body.status).toBe('ready');
  });
});
