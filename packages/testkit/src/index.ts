/**
 * What the suites (apps/server, packages/client, apps/web, faults, e2e) and the
 * bench share to run the real server and act as its users. Test support only:
 * no product code imports it.
 */
export { startServerProcess } from './server-process';
export type { ServerProcess, ServerProcessOptions } from './server-process';
export { signTestToken, TEST_JWT_SECRET } from './tokens';
export type { TokenOptions } from './tokens';
export { createConversation, createUser } from './users';
export type { TestUser } from './users';
export { httpJson } from './http';
export { ManualClock } from './manual-clock';
export { mulberry32, Random } from './random';
export { redisUnavailableReason, TEST_REDIS_URL } from './redis';
