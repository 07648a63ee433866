import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ManualClock } from '@chat/testkit';
import type { Socket } from 'node:net';
import {
  api,
  connectAs,
  createConversation,
  createUser,
  joinedSocket,
  newClientId,
  type TestUser,
} from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/test-server';
import { TestSocket } from '../support/test-socket';

async function closesWithCode(harness: TestServer, code: number): Promise<number> {
  const metric = await harness.server.metrics.closes.get();
  return metric.values.find((value) => value.labels.code === String(code))?.value ?? 0;
}

describe('PROTOCOL 5: limits', () => {
  let harness: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let conversationId: string;

  beforeAll(async () => {
    harness = await startTestServer({ rateLimitMessagesPerSec: 5, rateLimitBurst: 10 });
    alice = await createUser(harness.server, 'Alice');
    bob = await createUser(harness.server, 'Bob');
    conversationId = (await createConversation(harness.server, alice, [bob])).id;
  });
  afterAll(() => harness.dispose());

  const send = (socket: TestSocket, ref?: string) => {
    const clientId = newClientId();
    socket.send({
      type: 'send_message',
      conversation_id: conversationId,
      client_id: clientId,
      body: 'burst',
      ...(ref ? { ref } : {}),
    });
    return clientId;
  };

  it('rate limit: past the burst, send_message gets rate_limited with retry_after_ms, its ref and client_id, and is dropped', async () => {
    const socket = await connectAs(harness.server, alice);
    const clientIds = Array.from({ length: 15 }, (_, index) => send(socket, `s${index}`));
    const acks = await socket.collect('message_ack', 10);
    const refusals = await socket.collect('error', 5);
    await socket.settle();
    expect(acks.length).toBeGreaterThanOrEqual(10);
    expect(acks.length + socket.ofType('error').length).toBe(15);
    for (const refusal of refusals) {
      expect(refusal.code).toBe('rate_limited');
      expect(refusal.retry_after_ms).toBeGreaterThan(0);
      expect(clientIds).toContain(refusal.client_id);
      expect(String(refusal.ref)).toMatch(/^s\d+$/);
    }
    // Dropped: the refused client_ids were never stored.
    const history = await api(
      harness.server,
      alice.token,
      'GET',
      `/api/conversations/${conversationId}/messages`,
    );
    const stored = ((await history.json()) as { messages: Array<{ client_id: string }> }).messages.map(
      (message) => message.client_id,
    );
    for (const refusal of refusals) expect(stored).not.toContain(refusal.client_id);
    socket.close();
  });

  it('rate limit: a connection with more than 100 frames refused as rate_limited in 10 s is closed with 4029', async () => {
    const bystander = await connectAs(harness.server, bob);
    const socket = await connectAs(harness.server, alice);
    for (let index = 0; index < 130; index++) send(socket);
    expect((await socket.waitForClose()).code).toBe(4029);
    expect(socket.ofType('error').filter((error) => error.code === 'rate_limited').length).toBeGreaterThan(
      100,
    );
    expect((await bystander.request({ type: 'ping' })).type).toBe('pong');
    bystander.close();
  });
});

describe('PROTOCOL 5: backpressure', () => {
  let harness: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let conversationId: string;

  beforeAll(async () => {
    harness = await startTestServer({ rateLimitMessagesPerSec: 1000, rateLimitBurst: 1000 });
    alice = await createUser(harness.server, 'Alice');
    bob = await createUser(harness.server, 'Bob');
    conversationId = (await createConversation(harness.server, alice, [bob])).id;
  });
  afterAll(() => harness.dispose());

  it('backpressure: a connection that stops reading is closed with 1013 once its unsent buffer passes the limit', async () => {
    // Fill the conversation with large messages so each `joined` reply is big.
    const filled = await fill(harness, bob, conversationId, '😀'.repeat(4000), 50);
    expect(filled).toBe(50);

    const { socket } = await joinedSocket(harness.server, alice, conversationId);
    const tcp = (socket.ws as unknown as { _socket: Socket })._socket;
    tcp.pause();
    const before = await closesWithCode(harness, 1013);
    for (let index = 0; index < 40; index++) {
      socket.send({ type: 'join_conversation', conversation_id: conversationId });
    }
    await waitUntil(async () => (await closesWithCode(harness, 1013)) > before);
    tcp.resume();
    expect((await socket.waitForClose()).code).toBe(1013);
  });
});

describe('PROTOCOL 5: heartbeat (on a manual clock)', () => {
  const HEARTBEAT_MS = 200;
  let harness: TestServer;
  let alice: TestUser;
  const clock = new ManualClock();

  beforeAll(async () => {
    harness = await startTestServer({ heartbeatIntervalMs: HEARTBEAT_MS }, { clock });
    alice = await createUser(harness.server, 'Alice');
  });
  afterAll(() => harness.dispose());

  it('heartbeat: a socket that does not answer pings is terminated by the next ping', async () => {
    const silent = new WebSocket(harness.server.wsUrl, { autoPong: false });
    const closed = new Promise<number>((resolve) => silent.on('close', (code) => resolve(code)));
    const pinged = new Promise((resolve) => silent.once('ping', resolve));
    await new Promise((resolve) => silent.once('open', resolve));
    clock.advance(HEARTBEAT_MS);
    await pinged;
    clock.advance(HEARTBEAT_MS);
    expect(await closed).toBe(1006);
  });

  it('heartbeat: a socket that answers pings stays open, ping after ping', async () => {
    const socket = await connectAs(harness.server, alice);
    for (let beat = 0; beat < 5; beat++) {
      clock.advance(HEARTBEAT_MS);
      // Two round trips: the first is answered after the server's ping reached the client (one
      // stream, in order), whose pong is then sent before the second request, so the server has
      // read the pong by the time the second is answered.
      await socket.request({ type: 'ping' });
      expect((await socket.request({ type: 'ping' })).type).toBe('pong');
    }
    expect(socket.closeCode).toBeNull();
    socket.close();
  });

  it("transport: a client's ping frame gets a pong with its data (RFC 6455 5.5.2)", async () => {
    const pinger = new WebSocket(harness.server.wsUrl);
    await new Promise((resolve) => pinger.once('open', resolve));
    for (let beat = 0; beat < 3; beat++) {
      const pong = new Promise<Buffer>((resolve) => pinger.once('pong', resolve));
      pinger.ping(Buffer.from(`beat ${beat}`));
      expect((await pong).toString()).toBe(`beat ${beat}`);
    }
    expect(pinger.readyState).toBe(WebSocket.OPEN);
    pinger.close();
  });
});

describe('PROTOCOL 5: shutdown', () => {
  it('shutdown: on close the server closes every socket, authenticated or not, with 1001 and keeps what it acked', async () => {
    const harness = await startTestServer();
    const alice = await createUser(harness.server, 'Alice');
    const bob = await createUser(harness.server, 'Bob');
    const conversation = await createConversation(harness.server, alice, [bob]);
    const { socket } = await joinedSocket(harness.server, alice, conversation.id);
    const anonymous = await TestSocket.open(harness.server.wsUrl);
    for (let index = 0; index < 20; index++) {
      socket.send({
        type: 'send_message',
        conversation_id: conversation.id,
        client_id: newClientId(),
        body: `m${index}`,
      });
    }
    await socket.next('message_ack');
    const server = await harness.restart();
    expect((await socket.waitForClose()).code).toBe(1001);
    expect((await anonymous.waitForClose()).code).toBe(1001);
    const acked = socket.ofType('message_ack').map((ack) => ack.message);
    const history = await api(server, alice.token, 'GET', `/api/conversations/${conversation.id}/messages`);
    const stored = ((await history.json()) as { messages: Array<{ id: string; seq: number }> }).messages;
    for (const message of acked) {
      expect(stored).toContainEqual(expect.objectContaining({ id: message.id, seq: message.seq }));
    }
    await harness.dispose();
  });
});

async function fill(
  harness: TestServer,
  user: TestUser,
  conversationId: string,
  body: string,
  count: number,
): Promise<number> {
  const socket = await connectAs(harness.server, user);
  const replies = await Promise.all(
    Array.from({ length: count }, () =>
      socket.request({
        type: 'send_message',
        conversation_id: conversationId,
        client_id: newClientId(),
        body,
      }),
    ),
  );
  socket.close();
  return replies.filter((reply) => reply.type === 'message_ack').length;
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
