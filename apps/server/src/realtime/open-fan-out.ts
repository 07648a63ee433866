import type { ServerConfig } from '../config';
import type { Logger } from '../logger';
import { createMemoryPresence, type PresenceRegistry } from '../realtime/presence';
import { createRedisPresence } from '../realtime/redis-presence';
import type { ServerContext } from '../ws/context';
import { publishPresence } from '../ws/handlers/join-leave';
import type { Broker } from './broker';
import { createMemoryBroker } from './memory-broker';
import { createRedisBroker } from './redis-broker';

/** In-process fan-out for one server; Redis when REDIS_URL is set, for several. */
export async function openFanOut(
  config: ServerConfig,
  log: Logger,
  context: () => ServerContext,
): Promise<{ broker: Broker; presence: PresenceRegistry }> {
  if (!config.redisUrl) return { broker: createMemoryBroker(), presence: createMemoryPresence() };
  const options = { url: config.redisUrl, prefix: config.redisPrefix, log };
  const broker = await createRedisBroker(options);
  const presence = await createRedisPresence({
    ...options,
    onExpired: (conversationId, userId) => {
      publishPresence(context(), conversationId, userId, false).catch((error: unknown) =>
        log.warn({ err: error }, 'presence publish failed'),
      );
    },
  });
  return { broker, presence };
}
