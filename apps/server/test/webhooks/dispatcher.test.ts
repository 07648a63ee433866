import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from './eventually';
import type { User } from '@chat/protocol';
import { ManualClock } from '@chat/testkit';
import { SecretBox } from '../../src/auth/secret-box';
import { createLogger } from '../../src/logger';
import { createSqliteStorage } from '../../src/storage/sqlite/sqlite-storage';
import type { Storage } from '../../src/storage/storage';
import type { DeliveryResult } from '../../src/webhooks/webhook-dispatcher';
import { createWebhooks, deliveryId, type Webhooks, type WebhooksSetup } from '../../src/webhooks/webhooks';
import { makeUsers, send } from '../storage/contract/fixture';
import { startReceiver, statuses, type WebhookReceiver } from './receiver';

/**
 * The webhook queue and dispatcher on a real SQLite file, sending to real
 * receivers on loopback, with time moved by hand (ManualClock): signatures,
 * retries with one webhook-id, the queue across a restart, 410, and the
 * address guard on every redirect hop.
 */
const box = new SecretBox(randomBytes(32));
const secret = `whsec_${randomBytes(24).toString('base64')}`;

let dir: string;
let clock: ManualClock;
let storage: Storage;
let webhooks: Webhooks | null;
let receivers: WebhookReceiver[];
let results: DeliveryResult[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'chat-webhooks-'));
  clock = new ManualClock();
  storage = createSqliteStorage({ filename: join(dir, 'chat.db') });
  webhooks = null;
  receivers = [];
  results = [];
});

afterEach(async () => {
  await webhooks?.close();
  await storage.close();
  for (const receiver of receivers) await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

async function receiver(...args: Parameters<typeof startReceiver>): Promise<WebhookReceiver> {
  const started = await startReceiver(...args);
  receivers.push(started);
  return started;
}

function start(extra: Partial<WebhooksSetup> = {}): Webhooks {
  webhooks = createWebhooks({
    storage,
    clock,
    log: createLogger('silent'),
    openSecret: (sealed) => box.open(sealed),
    allowPrivate: true,
    onResult: (result) => results.push(result),
    ...extra,
  });
  webhooks.start();
  return webhooks;
}

/** A person (Ada unless given), an agent with its webhook at `url`, and a conversation of both. */
async function agentWithWebhook(
  url: string,
  person?: User,
): Promise<{ ada: User; agentId: string; conversationId: string }> {
  const ada = person ?? (await makeUsers(storage, 'ada'))[0];
  const now = new Date(clock.now());
  const agent = await storage.createAgent({
    id: randomUUID(),
    owner_id: ada!.id,
    display_name: 'Hook Bot',
    description: null,
    public: false,
    api_key_hash: randomUUID(),
    webhook_secret_sealed: box.seal(secret),
    now,
  });
  await storage.updateAgent(agent.id, { webhook_url: url }, now);
  const { id } = await storage.createConversation({ creatorId: ada!.id, otherIds: [agent.id], title: null });
  return { ada: ada!, agentId: agent.id, conversationId: id };
}

/** Waits until the failed attempt is stored with its next attempt `ms` from now, then moves time there. */
async function advanceToRetry(agentId: string, ms: number): Promise<void> {
  const due = new Date(clock.now() + ms).toISOString();
  await eventually(async () =>
    expect((await storage.webhookDeliveriesOf(agentId))[0]?.next_attempt_at).toBe(due),
  );
  clock.advance(ms);
}

describe('webhook dispatcher', () => {
  it('POSTs the message signed with the Standard Webhooks headers, verified by the library', async () => {
    const hook = await receiver();
    const { ada, agentId, conversationId } = await agentWithWebhook(hook.url);
    start().messageFinished(await send(storage, conversationId, ada, 'hello agent'));
    await eventually(() => expect(results).toEqual(['delivered']));
    const [request] = hook.received;
    expect(request!.headers['content-type']).toBe('application/json');
    const payload = new Webhook(secret).verify(request!.body, {
      'webhook-id': String(request!.headers['webhook-id']),
      'webhook-timestamp': String(request!.headers['webhook-timestamp']),
      'webhook-signature': String(request!.headers['webhook-signature']),
    });
    expect(payload).toMatchObject({
      type: 'message',
      conversation_id: conversationId,
      message: { conversation_id: conversationId, sender_id: ada.id, body: 'hello agent', kind: 'text' },
    });
    expect(request!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
    expect(await storage.webhookDeliveriesOf(agentId)).toEqual([]);
  });

  it("neither the agent's own message nor a streaming one is delivered; queueing twice sends once", async () => {
    const hook = await receiver();
    const { ada, agentId, conversationId } = await agentWithWebhook(hook.url);
    const hooks = start();
    const own = await storage.appendMessages([
      {
        conversation_id: conversationId,
        sender_id: agentId,
        client_id: randomUUID(),
        body: 'mine',
        reply_to: null,
        mentions: [],
      },
    ]);
    if (own[0]?.status === 'created') hooks.messageFinished(own[0].message);
    const message = await send(storage, conversationId, ada, 'once');
    hooks.messageFinished({ ...message, state: 'streaming' });
    hooks.messageFinished(message);
    hooks.messageFinished(message);
    await eventually(() => expect(results).toEqual(['delivered']));
    expect(await storage.webhookDeliveriesOf(agentId)).toEqual([]);
    expect(hook.received.map((r) => JSON.parse(r.body).message.body)).toEqual(['once']);
    expect(hook.received[0]!.headers['webhook-id']).toBe(deliveryId(message.id, agentId));
  });

  it('a receiver failing twice gets it exactly three times, with one webhook-id, the first retry after 5 s', async () => {
    const hook = await receiver(statuses(500, 503, 200));
    const { ada, agentId, conversationId } = await agentWithWebhook(hook.url);
    start().messageFinished(await send(storage, conversationId, ada));
    await advanceToRetry(agentId, 5000);
    await advanceToRetry(agentId, 30_000);
    await eventually(() => expect(results).toEqual(['retry', 'retry', 'delivered']));
    clock.advance(3_600_000);
    expect(hook.received).toHaveLength(3);
    expect(new Set(hook.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(new Set(hook.received.map((r) => r.body)).size).toBe(1);
  });

  it('the queue is stored: a restart between failures loses nothing', async () => {
    const hook = await receiver(statuses(500, 200));
    const { ada, agentId, conversationId } = await agentWithWebhook(hook.url);
    start().messageFinished(await send(storage, conversationId, ada));
    await eventually(async () => expect((await storage.webhookDeliveriesOf(agentId))[0]?.attempts).toBe(1));
    await eventually(() => expect(results).toEqual(['retry']));
    await webhooks!.close();
    await storage.close();
    storage = createSqliteStorage({ filename: join(dir, 'chat.db') });
    start();
    clock.advance(5000);
    await eventually(() => expect(results).toEqual(['retry', 'delivered']));
    expect(hook.received).toHaveLength(2);
    expect(hook.received[1]!.headers['webhook-id']).toBe(hook.received[0]!.headers['webhook-id']);
  });

  it('410 turns the webhook off and drops what was queued for it', async () => {
    const hook = await receiver(statuses(410));
    const { ada, agentId, conversationId } = await agentWithWebhook(hook.url);
    const hooks = start();
    hooks.messageFinished(await send(storage, conversationId, ada, 'first'));
    await eventually(() => expect(results).toEqual(['gone']));
    expect((await storage.getAgent(agentId))?.webhook_active).toBe(false);
    expect(await storage.webhookDeliveriesOf(agentId)).toEqual([]);
    hooks.messageFinished(await send(storage, conversationId, ada, 'second'));
    clock.advance(60_000);
    expect(await storage.webhookRecipients(conversationId, ada.id)).toEqual([]);
    expect(hook.received).toHaveLength(1);
  });

  it('gives up 24 h after queueing, having tried all along', async () => {
    const hook = await receiver(statuses(500));
    const { ada, agentId, conversationId } = await agentWithWebhook(hook.url);
    start().messageFinished(await send(storage, conversationId, ada));
    const queuedAt = clock.now();
    for (let attempt = 1; ; attempt += 1) {
      await eventually(() => expect(results).toHaveLength(attempt));
      if (results.at(-1) === 'given_up') break;
      const [queued] = await storage.webhookDeliveriesOf(agentId);
      clock.advance(Date.parse(queued!.next_attempt_at) - clock.now());
    }
    expect(clock.now() - queuedAt).toBe(24 * 3_600_000);
    expect(results.filter((r) => r === 'retry').length).toBeGreaterThan(20);
    expect(await storage.webhookDeliveriesOf(agentId)).toEqual([]);
  });

  it('without WEBHOOK_ALLOW_PRIVATE a loopback webhook is never contacted', async () => {
    const hook = await receiver();
    const { ada, agentId, conversationId } = await agentWithWebhook(hook.url);
    start({ allowPrivate: false }).messageFinished(await send(storage, conversationId, ada));
    await eventually(() => expect(results).toEqual(['retry']));
    await advanceToRetry(agentId, 5000);
    await eventually(() => expect(results).toEqual(['retry', 'retry']));
    expect(hook.received).toEqual([]);
  });

  it('a redirect is followed only to an address the guard allows, each hop checked', async () => {
    // 127.0.0.1 stands for a public address here; 127.0.0.2 for a private one.
    const isPublic = (address: string) => address === '127.0.0.1';
    const inside = await receiver(undefined, '127.0.0.2');
    const target = await receiver();
    const hook = await receiver((request, _index, response) => {
      const location = request.path === '/hook' ? `http://127.0.0.2:${inside.port}/secret` : target.url;
      response.writeHead(307, { location }).end();
    });
    const { ada, agentId, conversationId } = await agentWithWebhook(hook.url);
    start({ allowPrivate: false, isPublic }).messageFinished(await send(storage, conversationId, ada));
    await eventually(() => expect(results).toEqual(['retry']));
    expect(hook.received).toHaveLength(1);
    expect(inside.received).toEqual([]);

    await storage.updateAgent(agentId, { webhook_url: `${hook.url}/moved` }, new Date(clock.now()));
    await advanceToRetry(agentId, 5000);
    await eventually(() => expect(results).toEqual(['retry', 'delivered']));
    expect(target.received).toHaveLength(1);
    expect(inside.received).toEqual([]);
  });

  it('a receiver slow to answer holds up only its own deliveries', async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const slow = await receiver(
      (_request, _index, response) => void released.then(() => response.writeHead(204).end()),
    );
    const fast = await receiver();
    const first = await agentWithWebhook(slow.url);
    const second = await agentWithWebhook(fast.url, first.ada);
    const hooks = start();
    hooks.messageFinished(await send(storage, first.conversationId, first.ada, 'to the slow one'));
    await eventually(() => expect(slow.received).toHaveLength(1));
    hooks.messageFinished(await send(storage, second.conversationId, first.ada, 'to the fast one'));
    await eventually(() => expect(results).toEqual(['delivered']));
    expect(fast.received).toHaveLength(1);
    release();
    await eventually(() => expect(results).toEqual(['delivered', 'delivered']));
  });

  it('connects to the address the guard checked, not to a second DNS answer', async () => {
    const hook = await receiver();
    const { ada, conversationId } = await agentWithWebhook(`http://hooks.invalid:${hook.port}/hook`);
    // hooks.invalid exists only in this resolver: the connection can only go where the check resolved it.
    const resolveHost = async (host: string) => (host === 'hooks.invalid' ? ['127.0.0.1'] : []);
    start({ resolveHost }).messageFinished(await send(storage, conversationId, ada));
    await eventually(() => expect(results).toEqual(['delivered']));
    expect(hook.received[0]!.headers.host).toBe(`hooks.invalid:${hook.port}`);
  });
});
