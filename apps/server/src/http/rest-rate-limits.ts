import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import type { ServerConfig } from '../config';
import { ChatError } from '../domain/chat-error';

type Kind = 'directory' | 'groups' | 'rest';

/** Which of a user's allowances a request draws on. */
function kindOf(request: FastifyRequest): Kind {
  const route = `${request.method} ${request.routeOptions.url ?? ''}`;
  if (route === 'GET /api/users') return 'directory';
  // Each puts people into a conversation (and a `conversation` frame on their screens).
  if (route === 'POST /api/conversations' || route === 'POST /api/conversations/:id/members') return 'groups';
  return 'rest';
}

/**
 * Per-user limits on the signed-in REST API (`@fastify/rate-limit`, fixed one-minute
 * windows): `RATE_LIMIT_USERS_PER_MIN` directory searches, so nobody walks the
 * directory; `RATE_LIMIT_GROUPS_PER_MIN` conversations created and members added, so
 * nobody is put into a hundred groups; `RATE_LIMIT_REST_PER_MIN` for every other route.
 * Counted after authentication, by user id (not address: one NAT is many people). With
 * `REDIS_URL` the counters live in Redis, shared by every process; should Redis be away,
 * requests go through uncounted rather than fail. Past a limit: 429 `rate_limited` with
 * `Retry-After`. Registered in the authenticated /api scope before its routes.
 */
export async function registerRestRateLimits(
  api: FastifyInstance,
  config: Pick<
    ServerConfig,
    'restRateLimitPerMin' | 'directoryRateLimitPerMin' | 'groupRateLimitPerMin' | 'redisUrl' | 'redisPrefix'
  >,
): Promise<void> {
  if (config.restRateLimitPerMin === 0) return;
  const max: Record<Kind, number> = {
    directory: config.directoryRateLimitPerMin,
    groups: config.groupRateLimitPerMin,
    rest: config.restRateLimitPerMin,
  };
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 })
    : undefined;
  if (redis) {
    redis.on('error', () => {}); // the broker's connection logs outages; this one only counts
    api.addHook('onClose', async () => {
      redis.disconnect();
    });
  }
  await api.register(fastifyRateLimit, {
    global: true,
    hook: 'preHandler',
    timeWindow: 60_000,
    max: (request) => max[kindOf(request)],
    keyGenerator: (request) => `${kindOf(request)}:${request.user?.id ?? request.ip}`,
    ...(redis ? { redis, nameSpace: `${config.redisPrefix}rate-limit:` } : {}),
    skipOnError: true,
    errorResponseBuilder: (request, context) =>
      new ChatError(
        'rate_limited',
        `too many ${kindOf(request) === 'rest' ? 'requests' : kindOf(request) === 'groups' ? 'conversations and adds' : 'directory searches'}; try again in ${context.after}`,
        context.ttl,
      ),
  });
}
