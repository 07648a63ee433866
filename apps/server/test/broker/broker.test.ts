import { describe } from 'vitest';
import { createMemoryBroker } from '../../src/broker/memory-broker';
import { createRedisBroker } from '../../src/broker/redis-broker';
import { createLogger } from '../../src/logger';
import { TEST_REDIS_URL, redisUnavailableReason, uniquePrefix } from '../support/redis';
import { describeBrokerContract } from './broker-contract';

describeBrokerContract('memory', async () => {
  const broker = createMemoryBroker();
  return [broker, broker];
});

const redisMissing = await redisUnavailableReason();
if (redisMissing) {
  console.warn(`redis broker tests skipped: ${redisMissing}`);
  describe.skip('broker contract: redis', () => {});
} else {
  // Two brokers on one prefix stand for two server processes.
  describeBrokerContract('redis', async () => {
    const prefix = uniquePrefix();
    const log = createLogger('silent');
    return [
      await createRedisBroker({ url: TEST_REDIS_URL, prefix, log }),
      await createRedisBroker({ url: TEST_REDIS_URL, prefix, log }),
    ];
  });
}
