import type { Broker } from '../broker/broker';
import { createMemoryBroker } from '../broker/memory-broker';
import { createRedisBroker } from '../broker/redis-broker';
import type { Logger } from '../logger';
import { createMemoryPresence, type PresenceRegistry } from './presence';
import { createRedisPresence } from './redis-presence';

export interface FanOut {
  broker: Broker;
  presence: PresenceRegistry;
  /**
   * Section 13: visible connections per user (keyed by user id as both
   * conversation and user). Absent in a handed-in fan-out: the server counts
   * its own connections only.
   */
  visibility?: PresenceRegistry;
}

/**
 * In-process fan-out for one server; Redis when a URL is given, for several.
 * `onPresenceExpired` hears of users whose process died while they were online.
 * Redis being down does not stop the start: the connections keep retrying.
 */
export async function openFanOut(options: {
  redisUrl: string | undefined;
  redisPrefix: string;
  log: Logger;
  onPresenceExpired: (conversationId: string, userId: string) => void;
}): Promise<FanOut> {
  if (!options.redisUrl) {
    return {
      broker: createMemoryBroker(),
      presence: createMemoryPresence(),
      visibility: createMemoryPresence(),
    };
  }
  const redis = { url: options.redisUrl, prefix: options.redisPrefix, log: options.log };
  // Each waits a moment for Redis, never for an outage: together, not one after the other.
  const [broker, presence, visibility] = await Promise.all([
    createRedisBroker(redis),
    createRedisPresence({ ...redis, onExpired: options.onPresenceExpired }),
    // A crashed process's visible connections expire the same way; nothing to announce.
    createRedisPresence({ ...redis, prefix: `${options.redisPrefix}visible:`, onExpired: () => {} }),
  ]);
  return { broker, presence, visibility };
}
