import { Redis } from 'ioredis';

/** The Redis that suites and the bench use: the machine's own unless TEST_REDIS_URL says otherwise. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Null when Redis answers at TEST_REDIS_URL, else why not: suites and bench
 * scenarios that need it are skipped with this reason printed (a machine
 * without Redis), and run for real where it answers (CI).
 */
export async function redisUnavailableReason(): Promise<string | null> {
  const probe = new Redis(TEST_REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
    return null;
  } catch (error) {
    return `Redis at ${TEST_REDIS_URL} is not reachable (${(error as Error).message})`;
  } finally {
    probe.disconnect();
  }
}
