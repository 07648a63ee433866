import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Agent, AgentsResponse, Message } from '@chat/protocol';
import { ManualClock } from '@chat/testkit';
import { connectAgent, createAgent, type TestAgent } from '../support/agents';
import { api, createConversation, createUser, joinedSocket, type TestUser } from '../support/fixtures';
import { sendMessage } from '../support/protocol';
import { startTestServer, type TestServer } from '../support/test-server';
import type { TestSocket } from '../support/test-socket';
import { eventually } from '../webhooks/eventually';
import { startReceiver, statuses, type ReceivedWebhook, type WebhookReceiver } from '../webhooks/receiver';

// docs/protocol.md section 14, "Webhooks": every new text message in an
// agent's conversations that is not its own is POSTed, signed, to its
// webhook_url; retried with backoff across restarts; 410 turns it off. The
// receivers are real HTTP servers on 127.0.0.1 (so WEBHOOK_ALLOW_PRIVATE=true);
// time is a ManualClock, moved to each retry.

describe('PROTOCOL 14: webhooks', () => {
  const clock = new ManualClock();
  let harness: TestServer;
  let alice: TestUser;
  const sockets: TestSocket[] = [];
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    harness = await startTestServer({ webhookAllowPrivate: true }, { clock });
    alice = await createUser(harness.server, 'Alice');
  });
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.close();
    for (const receiver of receivers.splice(0)) await receiver.close();
  });
  afterAll(() => harness.dispose());

  async function receiver(...args: Parameters<typeof startReceiver>): Promise<WebhookReceiver> {
    const started = await startReceiver(...args);
    receivers.push(started);
    return started;
  }

  /** Alice's agent with its webhook at `url`, in a conversation with her; her socket joined there. */
  async function hookedAgent(url: string) {
    const agent = await createAgent(harness.server, alice, { display_name: 'Hook Bot' });
    const patched = await api(harness.server, alice.token, 'PATCH', `/api/agents/${agent.agent.id}`, {
      webhook_url: url,
    });
    expect(patched.status).toBe(200);
    const conversation = await createConversation(harness.server, alice, [agent.agent]);
    const { socket } = await joinedSocket(harness.server, alice, conversation.id);
    sockets.push(socket);
    return { agent, conversationId: conversation.id, socket };
  }

  const verify = (agent: TestAgent, request: ReceivedWebhook) =>
    new Webhook(agent.webhookSecret).verify(request.body, {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    });

  /** Waits until the failed attempt is stored, due `ms` from now, then moves the clock there. */
  async function advanceToRetry(agentId: string, ms: number): Promise<void> {
    const due = new Date(clock.now() + ms).toISOString();
    await eventually(async () =>
      expect((await harness.server.storage.webhookDeliveriesOf(agentId))[0]?.next_attempt_at).toBe(due),
    );
    clock.advance(ms);
  }

  async function agentOf(agentId: string): Promise<Agent | undefined> {
    const response = await api(harness.server, alice.token, 'GET', '/api/agents');
    return ((await response.json()) as AgentsResponse).agents.find((agent) => agent.id === agentId);
  }

  it('webhooks: a new text message is POSTed as {type, conversation_id, message}, signed as Standard Webhooks verify', async () => {
    const hook = await receiver();
    const { agent, conversationId, socket } = await hookedAgent(hook.url);
    const sent = await sendMessage(socket, conversationId, 'hello, agent');
    await eventually(() => expect(hook.received).toHaveLength(1));
    const [request] = hook.received;
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['webhook-id']).toMatch(/^msg_/);
    expect(verify(agent, request!)).toEqual({
      type: 'message',
      conversation_id: conversationId,
      message: sent,
    });
    const tampered = { ...request!, body: request!.body.replace('hello', 'HELLO') };
    expect(() => verify(agent, tampered)).toThrow();
    await eventually(async () =>
      expect(await harness.server.storage.webhookDeliveriesOf(agent.agent.id)).toEqual([]),
    );
    const metrics = await (await fetch(new URL('/metrics', harness.server.url))).text();
    expect(metrics).toMatch(/^chat_webhook_deliveries_total\{outcome="delivered"\} [1-9]/m);
  });

  it('webhooks: a receiver failing twice gets the message exactly 3 times, each with the same webhook-id; the first retry within 30 s', async () => {
    const hook = await receiver(statuses(500, 502, 204));
    const { agent, conversationId, socket } = await hookedAgent(hook.url);
    await sendMessage(socket, conversationId, 'try again');
    await advanceToRetry(agent.agent.id, 5000);
    await advanceToRetry(agent.agent.id, 30_000);
    await eventually(async () =>
      expect(await harness.server.storage.webhookDeliveriesOf(agent.agent.id)).toEqual([]),
    );
    expect(hook.received).toHaveLength(3);
    expect(new Set(hook.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    for (const request of hook.received)
      expect(verify(agent, request)).toMatchObject({ conversation_id: conversationId });
  });

  it('webhooks: the queue is stored: a server restart between failures loses nothing', async () => {
    const hook = await receiver(statuses(503, 204));
    const { agent, conversationId, socket } = await hookedAgent(hook.url);
    await sendMessage(socket, conversationId, 'survive a restart');
    const due = new Date(clock.now() + 5000).toISOString();
    await eventually(async () =>
      expect((await harness.server.storage.webhookDeliveriesOf(agent.agent.id))[0]?.next_attempt_at).toBe(
        due,
      ),
    );
    await harness.restart();
    clock.advance(5000);
    await eventually(() => expect(hook.received).toHaveLength(2));
    expect(hook.received[1]!.headers['webhook-id']).toBe(hook.received[0]!.headers['webhook-id']);
    expect(hook.received[1]!.body).toBe(hook.received[0]!.body);
    await eventually(async () =>
      expect(await harness.server.storage.webhookDeliveriesOf(agent.agent.id)).toEqual([]),
    );
  });

  it('webhooks: 410 turns the webhook off (webhook_active false) and no more messages are posted', async () => {
    const hook = await receiver(statuses(410));
    const { agent, conversationId, socket } = await hookedAgent(hook.url);
    await sendMessage(socket, conversationId, 'first');
    await eventually(async () => expect((await agentOf(agent.agent.id))?.webhook_active).toBe(false));
    await sendMessage(socket, conversationId, 'second');
    expect(await harness.server.storage.webhookDeliveriesOf(agent.agent.id)).toEqual([]);
    expect(hook.received).toHaveLength(1);
    // Setting the URL again turns it back on.
    await api(harness.server, alice.token, 'PATCH', `/api/agents/${agent.agent.id}`, {
      webhook_url: hook.url,
    });
    expect((await agentOf(agent.agent.id))?.webhook_active).toBe(true);
  });

  it("webhooks: the agent's own messages are not posted to it; a person's are", async () => {
    const hook = await receiver();
    const { agent, conversationId, socket } = await hookedAgent(hook.url);
    const agentSocket = await connectAgent(harness.server, agent.apiKey);
    sockets.push(agentSocket);
    await agentSocket.request({ type: 'join_conversation', conversation_id: conversationId });
    await sendMessage(agentSocket, conversationId, 'from the agent');
    await sendMessage(socket, conversationId, 'from alice');
    await eventually(() => expect(hook.received).toHaveLength(1));
    await eventually(async () =>
      expect(await harness.server.storage.webhookDeliveriesOf(agent.agent.id)).toEqual([]),
    );
    expect(hook.received.map((r) => (JSON.parse(r.body) as { message: Message }).message.body)).toEqual([
      'from alice',
    ]);
  });

  it('webhooks: a streamed message is posted once, when its stream ends, with its final text', async () => {
    const hook = await receiver();
    const { agent, conversationId, socket } = await hookedAgent(hook.url);
    const started = await sendMessage(socket, conversationId, '', { streaming: true });
    await socket.request({ type: 'stream_message', message_id: started.id, body: 'part' });
    await socket.request({ type: 'end_stream', message_id: started.id, body: 'the final text' });
    await sendMessage(socket, conversationId, 'after the stream');
    await eventually(() => expect(hook.received).toHaveLength(2));
    await eventually(async () =>
      expect(await harness.server.storage.webhookDeliveriesOf(agent.agent.id)).toEqual([]),
    );
    const messages = hook.received.map((r) => (verify(agent, r) as { message: Message }).message);
    expect(messages.map((m) => [m.body, m.state]).sort()).toEqual([
      ['after the stream', 'complete'],
      ['the final text', 'complete'],
    ]);
    expect(messages.find((m) => m.body === 'the final text')?.id).toBe(started.id);
  });
});

describe('PROTOCOL 14: webhook URLs without WEBHOOK_ALLOW_PRIVATE', () => {
  let harness: TestServer;
  let alice: TestUser;
  beforeAll(async () => {
    harness = await startTestServer();
    alice = await createUser(harness.server, 'Alice');
  });
  afterAll(() => harness.dispose());

  it('webhooks: a webhook_url on a loopback, private or link-local address is refused (400), a public one taken', async () => {
    const { agent } = await createAgent(harness.server, alice);
    for (const url of [
      'http://127.0.0.1:9/hook',
      'http://localhost/hook',
      'http://[::1]/hook',
      'http://10.0.0.7/hook',
      'http://169.254.169.254/latest',
      'http://[::ffff:127.0.0.1]/hook',
    ]) {
      const response = await api(harness.server, alice.token, 'PATCH', `/api/agents/${agent.id}`, {
        webhook_url: url,
      });
      expect(response.status, url).toBe(400);
    }
    const ok = await api(harness.server, alice.token, 'PATCH', `/api/agents/${agent.id}`, {
      webhook_url: 'https://93.184.216.34/hook',
    });
    expect(ok.status).toBe(200);
  });
});
