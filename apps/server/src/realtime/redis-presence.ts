import { randomUUID } from 'node:crypto';
import { closeRedis, openRedis, readyOrAfter } from '../broker/redis-connection';
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

/** A crashed process's users go offline within TTL + one refresh period (TTL / 3): 20 s. */
export const PRESENCE_TTL_MS = 15_000;

/**
 * Presence across processes. Each process counts its own joined connections and
 * keeps one entry per (conversation, user) in a Redis sorted set scored by an
 * expiry it refreshes every TTL / 3. A user is online in a conversation while
 * any entry exists. Entries of a process that died expire after `ttlMs`; the
 * process that removes an expired entry (ZREM answers 1 to exactly one) announces
 * the user offline. A snapshot sweeps expired entries first, so it says
 * "offline" only once that announcement has gone out: a `joined` never
 * disagrees with the live events.
 *
 * While Redis is away each process answers from its own counts (the user is
 * online if connected here) and logs; the next refresh after Redis returns
 * puts its entries back.
 */
export async function createRedisPresence(options: RedisPresenceOptions): Promise<PresenceRegistry> {
  const prefix = options.prefix ?? 'chat:';
  const ttlMs = options.ttlMs ?? PRESENCE_TTL_MS;
  const { log } = options;
  const processId = randomUUID();
  const redis = openRedis(options.url, 'presence', log);
  await readyOrAfter([redis], 2000);

  const counts = new Map<string, Map<string, number>>();
  const key = (conversationId: string) => `${prefix}presence:${conversationId}`;
  const entry = (userId: string) => `${userId}|${processId}`;
  const userOf = (member: string) => member.slice(0, member.indexOf('|'));
  const localUsers = (conversationId: string) => new Set(counts.get(conversationId)?.keys() ?? []);

  /** Removes expired entries of the conversation, announcing the users that went offline with them. */
  async function sweep(conversationId: string, now: number): Promise<void> {
    const expired = await redis.zrangebyscore(key(conversationId), '-inf', now);
    for (const member of expired) {
      if ((await redis.zrem(key(conversationId), member)) !== 1) continue;
      const userId = userOf(member);
      if (!(await allUsers(conversationId)).has(userId)) options.onExpired(conversationId, userId);
    }
  }

  async function allUsers(conversationId: string): Promise<Set<string>> {
    const members = await redis.zrange(key(conversationId), 0, -1);
    return new Set(members.map(userOf));
  }

  async function online(conversationId: string): Promise<Set<string>> {
    try {
      await sweep(conversationId, Date.now());
      const users = await allUsers(conversationId);
      for (const userId of localUsers(conversationId)) users.add(userId);
      return users;
    } catch (error) {
      log.warn({ err: error, conversationId }, 'presence read failed: answering from this process');
      return localUsers(conversationId);
    }
  }

  async function refresh(): Promise<void> {
    if (redis.status !== 'ready') return;
    const now = Date.now();
    const pipeline = redis.pipeline();
    for (const [conversationId, users] of counts) {
      for (const userId of users.keys()) pipeline.zadd(key(conversationId), now + ttlMs, entry(userId));
      pipeline.pexpire(key(conversationId), ttlMs * 2);
    }
    await pipeline.exec();
    for (const conversationId of counts.keys()) await sweep(conversationId, now);
  }

  const runRefresh = () => {
    refresh().catch((error: unknown) => log.warn({ err: error }, 'presence refresh failed'));
  };
  const timer = setInterval(runRefresh, ttlMs / 3);
  timer.unref();
  // Entries written before an outage may have expired during it: put them back at once.
  redis.on('ready', runRefresh);

  return {
    async add(conversationId, userId) {
      let users = counts.get(conversationId);
      if (!users) counts.set(conversationId, (users = new Map()));
      const count = (users.get(userId) ?? 0) + 1;
      users.set(userId, count);
      if (count > 1) return false;
      try {
        const wasOnline = (await allUsers(conversationId)).has(userId);
        await redis.zadd(key(conversationId), Date.now() + ttlMs, entry(userId));
        await redis.pexpire(key(conversationId), ttlMs * 2);
        return !wasOnline;
      } catch (error) {
        log.warn({ err: error, conversationId }, 'presence add not shared: redis away');
        return true;
      }
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
      try {
        await redis.zrem(key(conversationId), entry(userId));
        return !(await allUsers(conversationId)).has(userId);
      } catch (error) {
        log.warn({ err: error, conversationId }, 'presence remove not shared: redis away');
        return true;
      }
    },
    onlineUserIds: online,
    async close() {
      clearInterval(timer);
      redis.off('ready', runRefresh);
      if (redis.status === 'ready') {
        const pipeline = redis.pipeline();
        for (const [conversationId, users] of counts) {
          for (const userId of users.keys()) pipeline.zrem(key(conversationId), entry(userId));
        }
        try {
          await pipeline.exec();
        } catch (error) {
          log.warn({ err: error }, 'presence entries left to expire');
        }
      } else if (counts.size > 0) {
        log.warn({ conversations: counts.size }, 'presence entries left to expire: redis away');
      }
      counts.clear();
      await closeRedis(redis);
    },
  };
}
