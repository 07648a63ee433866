import { randomUUID } from 'node:crypto';

export { redisUnavailableReason, TEST_REDIS_URL } from '@chat/testkit';

/** A key and channel namespace of this test run's own. */
export const uniquePrefix = () => `chat-test:${randomUUID().slice(0, 8)}:`;
