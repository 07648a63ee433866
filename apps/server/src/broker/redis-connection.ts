import { Redis } from 'ioredis';
import type { Logger } from '../logger';

/**
 * A Redis connection that lives through outages: it connects in the background
 * and reconnects with backoff (up to 0.5 s apart, so it is back within half a second of Redis) for ever, so a process started
 * while Redis is down waits for it instead of exiting. Commands are never queued
 * while it is away (`enableOfflineQueue: false`): they fail at once, and each
 * caller has its own way to do without (local delivery, local presence, resync
 * from storage on return). An outage is logged once when it starts and once
 * when it ends, not at every retry.
 */
export function openRedis(url: string, name: string, log: Logger): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    autoResubscribe: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 4), 500),
  });
  let downSince: number | null = null;
  let everReady = false;
  redis.on('error', (error: unknown) => {
    if (downSince !== null) return;
    downSince = Date.now();
    log.warn({ err: error, client: name }, everReady ? 'redis connection lost' : 'redis not reachable yet');
  });
  redis.on('ready', () => {
    if (downSince !== null)
      log.warn({ client: name, downMs: Date.now() - downSince }, 'redis connection back');
    downSince = null;
    everReady = true;
  });
  return redis;
}

/** Ends the connection: QUIT when it is up (flushing what was sent), a plain disconnect when it is not. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    await redis.quit();
    return;
  }
  redis.disconnect();
}

/**
 * Resolves once every connection is ready, or after `ms` whatever their state:
 * a start waits a moment for Redis so that its first subscriptions are live,
 * but never blocks on an outage (the connections keep trying by themselves).
 */
export function readyOrAfter(clients: readonly Redis[], ms: number): Promise<void> {
  const ready = (redis: Redis) =>
    redis.status === 'ready'
      ? Promise.resolve()
      : new Promise<void>((resolve) => redis.once('ready', resolve));
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    void Promise.all(clients.map(ready)).then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
