import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Whether Redis answers. Suites that need it skip with this reason printed when
 * it does not (a machine without Redis), and run for real where it does (CI).
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

/** A key and channel namespace of this test run's own. */
export const uniquePrefix = () => `chat-test:${randomUUID().slice(0, 8)}:`;
