import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../logger';
import type { PresenceRegistry } from './presence';

export interface RedisPresenceOptions {
  url: string;
  prefix?: string;
  log: Logger;
  /** How long an entry outlives a process that stopped refreshing it (a crash). */
  ttlMs?: number;
  /** Called once, by one process, when a crashed process's entry expires and the user is offline. */
  onExpired: (conversationId: string, userId: string) => void;
}

/**
 * Presence across processes. Each process counts its own joined connections and
 * keeps one entry per (conversation, user) in a Redis sorted set scored by an
 * expiry it refreshes. A user is online in a conversation while any live entry
 * exists. Entries of a process that died expire after `ttlMs`; the process that
 * removes an expired entry announces the user offline.
 */
export async function createRedisPresence(options: RedisPresenceOptions): Promise<PresenceRegistry> {
  const prefix = options.prefix ?? 'chat:';
  const ttlMs = options.ttlMs ?? 30_000;
  const processId = randomUUID();
  const redis = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  redis.on('error', (error: unknown) => options.log.warn({ err: error }, 'redis presence error'));
  await redis.connect();

  const counts = new Map<string, Map<string, number>>();
  const key = (conversationId: string) => `${prefix}presence:${conversationId}`;
  const entry = (userId: string) => `${userId}|${processId}`;
  const userOf = (member: string) => member.slice(0, member.indexOf('|'));

  async function liveUsers(conversationId: string): Promise<Set<string>> {
    const members = await redis.zrangebyscore(key(conversationId), Date.now(), '+inf');
    return new Set(members.map(userOf));
  }

  async function refresh(): Promise<void> {
    const now = Date.now();
    const pipeline = redis.pipeline();
    for (const [conversationId, users] of counts) {
      for (const userId of users.keys()) pipeline.zadd(key(conversationId), now + ttlMs, entry(userId));
      pipeline.pexpire(key(conversationId), ttlMs * 2);
    }
    await pipeline.exec();
    for (const conversationId of counts.keys()) {
      const expired = await redis.zrangebyscore(key(conversationId), '-inf', now);
      for (const member of expired) {
        // ZREM answers 1 to exactly one process: that one announces.
        if ((await redis.zrem(key(conversationId), member)) !== 1) continue;
        const userId = userOf(member);
        if (!(await liveUsers(conversationId)).has(userId)) options.onExpired(conversationId, userId);
      }
    }
  }

  const timer = setInterval(() => {
    refresh().catch((error: unknown) => options.log.warn({ err: error }, 'presence refresh failed'));
  }, ttlMs / 3);
  timer.unref();

  return {
    async add(conversationId, userId) {
      let users = counts.get(conversationId);
      if (!users) counts.set(conversationId, (users = new Map()));
      const count = (users.get(userId) ?? 0) + 1;
      users.set(userId, count);
      if (count > 1) return false;
      const wasOnline = (await liveUsers(conversationId)).has(userId);
      await redis.zadd(key(conversationId), Date.now() + ttlMs, entry(userId));
      await redis.pexpire(key(conversationId), ttlMs * 2);
      return !wasOnline;
    },
    async remove(conversationId, userId) {
      const users = counts.get(conversationId);
      const count = users?.get(userId) ?? 0;
      if (!users || count === 0) return false;
      if (count > 1) {
        users.set(userId, count - 1);
        return false;
      }
      users.delete(userId);
      if (users.size === 0) counts.delete(conversationId);
      await redis.zrem(key(conversationId), entry(userId));
      return !(await liveUsers(conversationId)).has(userId);
    },
    onlineUserIds: liveUsers,
    async close() {
      clearInterval(timer);
      const pipeline = redis.pipeline();
      for (const [conversationId, users] of counts) {
        for (const userId of users.keys()) pipeline.zrem(key(conversationId), entry(userId));
      }
      const cleared = await Promise.allSettled([pipeline.exec()]);
      if (cleared[0]?.status === 'rejected') {
        options.log.warn({ err: cleared[0].reason }, 'presence entries left to expire');
      }
      counts.clear();
      await redis.quit();
    },
  };
}
