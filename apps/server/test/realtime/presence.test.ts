import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger';
import { createMemoryPresence, type PresenceRegistry } from '../../src/realtime/presence';
import { createRedisPresence } from '../../src/realtime/redis-presence';
import { TEST_REDIS_URL, redisUnavailableReason, uniquePrefix } from '../support/redis';

/**
 * One contract for presence registries: a user is online in a conversation
 * while any of their connections, on any process, is joined there. The pair
 * stands for two processes (the memory registry is one process's, so both
 * sides are the same object).
 */
async function closeBoth(a: PresenceRegistry, b: PresenceRegistry): Promise<void> {
  await a.close();
  if (b !== a) await b.close();
}

function describePresenceContract(name: string, open: () => Promise<[PresenceRegistry, PresenceRegistry]>) {
  describe(`presence contract: ${name}`, () => {
    it('presence: the first connection brings a user online, the last one takes them offline', async () => {
      const [a, b] = await open();
      try {
        expect(await a.add('c', 'ann')).toBe(true);
        expect(await b.add('c', 'ann')).toBe(false);
        expect(await a.remove('c', 'ann')).toBe(false);
        expect(await b.onlineUserIds('c')).toEqual(new Set(['ann']));
        expect(await b.remove('c', 'ann')).toBe(true);
        expect(await a.onlineUserIds('c')).toEqual(new Set());
      } finally {
        await closeBoth(a, b);
      }
    });

    it('presence: conversations and users are separate; a remove of someone absent changes nothing', async () => {
      const [a, b] = await open();
      try {
        await a.add('c1', 'ann');
        await b.add('c2', 'bob');
        expect(await a.remove('c1', 'bob')).toBe(false);
        expect(await b.onlineUserIds('c1')).toEqual(new Set(['ann']));
        expect(await a.onlineUserIds('c2')).toEqual(new Set(['bob']));
      } finally {
        await closeBoth(a, b);
      }
    });
  });
}

describePresenceContract('memory', async () => {
  const presence = createMemoryPresence();
  return [presence, presence];
});

const redisMissing = await redisUnavailableReason();
if (redisMissing) {
  console.warn(`redis presence tests skipped: ${redisMissing}`);
  describe.skip('presence contract: redis', () => {});
} else {
  describePresenceContract('redis', async () => {
    const options = {
      url: TEST_REDIS_URL,
      prefix: uniquePrefix(),
      log: createLogger('silent'),
      onExpired: () => {},
    };
    return [await createRedisPresence(options), await createRedisPresence(options)];
  });
}
