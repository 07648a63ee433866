import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type ChatServer, type ServerConfig } from '../../src/index';
import { connectAgent, createAgent } from '../support/agents';
import { api, createUser, type TestUser } from '../support/fixtures';
import { TEST_REDIS_URL, redisUnavailableReason, uniquePrefix } from '../support/redis';
import { TEST_JWT_SECRET } from '../support/test-server';
import { TestSocket } from '../support/test-socket';

const redisMissing = await redisUnavailableReason();
if (redisMissing) console.warn(`scale-out agent tests skipped: ${redisMissing}`);

/**
 * Section 14 across two server processes (one database, Redis fan-out): an
 * agent's key replaced or the agent deleted through one server closes its
 * sockets on the other at once, and the old key is refused there too.
 */
describe.skipIf(redisMissing !== null)('scale-out: agent keys on two servers', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-scale-agents-'));
  let a: ChatServer;
  let b: ChatServer;
  let owner: TestUser;

  beforeAll(async () => {
    const shared: Partial<ServerConfig> = {
      port: 0,
      host: '127.0.0.1',
      dataDir,
      jwtSecret: TEST_JWT_SECRET,
      logLevel: 'silent',
      webDistDir: null,
      sqliteSynchronous: 'NORMAL',
      redisUrl: TEST_REDIS_URL,
      redisPrefix: uniquePrefix(),
      restRateLimitPerMin: 0,
    };
    a = await createServer(shared);
    b = await createServer(shared);
    owner = await createUser(a, 'Owner');
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("agents: replacing the key on one server closes the agent's sockets on the other with 4001, and the old key is refused there", async () => {
    const { agent, apiKey } = await createAgent(a, owner);
    const onB = await connectAgent(b, apiKey);
    const response = await api(a, owner.token, 'POST', `/api/agents/${agent.id}/keys`);
    expect(response.status).toBe(200);
    const { api_key: newKey } = (await response.json()) as { api_key: string };
    expect(await onB.next('error')).toMatchObject({ code: 'unauthorized' });
    expect((await onB.waitForClose()).code).toBe(4001);
    const again = await TestSocket.open(b.wsUrl);
    expect(await again.request({ type: 'authenticate', api_key: apiKey })).toMatchObject({
      type: 'error',
      code: 'unauthorized',
    });
    expect((await api(b, apiKey, 'GET', '/api/me')).status).toBe(401);
    const fresh = await connectAgent(b, newKey);
    expect((await fresh.request({ type: 'ping' })).type).toBe('pong');
    fresh.close();
  });

  it('agents: deleting an agent on one server closes its sockets on the other with 4001', async () => {
    const { agent, apiKey } = await createAgent(a, owner);
    const onB = await connectAgent(b, apiKey);
    expect((await api(a, owner.token, 'DELETE', `/api/agents/${agent.id}`)).status).toBe(204);
    expect(await onB.next('error')).toMatchObject({ code: 'unauthorized' });
    expect((await onB.waitForClose()).code).toBe(4001);
    expect((await api(b, apiKey, 'GET', '/api/me')).status).toBe(401);
  });
});
