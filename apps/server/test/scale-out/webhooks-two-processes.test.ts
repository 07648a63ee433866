import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type ChatServer } from '../../src/index';
import { createAgent } from '../support/agents';
import { api, createConversation, createUser, joinedSocket } from '../support/fixtures';
import { createTestSchema } from '../support/postgres';
import { sendMany } from '../support/protocol';
import { TEST_JWT_SECRET } from '../support/test-server';
import { eventually } from '../webhooks/eventually';
import { startReceiver, type WebhookReceiver } from '../webhooks/receiver';

const missing = await createTestSchema().then(
  async (schema) => {
    await schema.drop();
    return null;
  },
  (error: unknown) => `PostgreSQL unavailable: ${String(error)}`,
);
if (missing) console.warn(`scale-out webhook tests skipped: ${missing}`);

const MESSAGES = 30;

/**
 * Section 14: two server processes on one PostgreSQL database send one stored
 * webhook queue. Both dispatchers claim the same due retries at the same
 * moment (one manual clock for both); each delivery is still sent exactly
 * once per attempt.
 */
describe.skipIf(missing !== null)('scale-out: webhooks from two servers (PostgreSQL)', () => {
  const clock = new ManualClock();
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-scale-webhooks-'));
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  let a: ChatServer;
  let b: ChatServer;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    schema = await createTestSchema();
    const shared = {
      port: 0,
      host: '127.0.0.1',
      // One DATA_DIR: both open webhook secrets with the same generated key.
      dataDir,
      databaseUrl: schema.databaseUrl,
      jwtSecret: TEST_JWT_SECRET,
      logLevel: 'silent' as const,
      webDistDir: null,
      restRateLimitPerMin: 0,
      webhookAllowPrivate: true,
    };
    a = await createServer(shared, { clock });
    b = await createServer(shared, { clock });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await receiver?.close();
    await schema?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('webhooks: retries claimed by both servers at once are each sent once', async () => {
    // Every delivery fails its first attempt, then succeeds.
    const attempts = new Map<string, number>();
    receiver = await startReceiver((request, _index, response) => {
      const id = String(request.headers['webhook-id']);
      attempts.set(id, (attempts.get(id) ?? 0) + 1);
      response.writeHead(attempts.get(id) === 1 ? 500 : 204).end();
    });
    const alice = await createUser(a, 'Alice');
    const { agent } = await createAgent(a, alice);
    await api(a, alice.token, 'PATCH', `/api/agents/${agent.id}`, { webhook_url: receiver.url });
    const conversation = await createConversation(a, alice, [agent]);
    const { socket } = await joinedSocket(a, alice, conversation.id);
    await sendMany(socket, conversation.id, MESSAGES);

    const retryAt = new Date(clock.now() + 5000).toISOString();
    await eventually(async () => {
      const queued = await a.storage.webhookDeliveriesOf(agent.id);
      expect(queued.map((d) => d.next_attempt_at)).toEqual(Array(MESSAGES).fill(retryAt));
    });
    clock.advance(5000);
    await eventually(async () => expect(await a.storage.webhookDeliveriesOf(agent.id)).toEqual([]));

    expect(attempts.size).toBe(MESSAGES);
    expect([...attempts.values()]).toEqual(Array(MESSAGES).fill(2));
    expect(receiver.received).toHaveLength(2 * MESSAGES);
    const delivered = async (server: ChatServer) =>
      (await server.metrics.webhookDeliveries.get()).values.find((v) => v.labels.outcome === 'delivered')
        ?.value ?? 0;
    expect((await delivered(a)) + (await delivered(b))).toBe(MESSAGES);
    socket.close();
  });
});
