import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Message } from '@chat/protocol';
import { createMemoryOutbox } from '../src/index';
import type { ConnectionStatus } from '../src/index';
import { Clients, recordingWebSocket } from './support/clients';
import { startServer } from './support/chat-server';
import { createConversation, createUser, httpJson, until } from './support/fixtures';
import type { TestServer } from './support/chat-server';

let server: TestServer;
const clients = new Clients();

beforeAll(async () => {
  // No rate limit in the way of the 500-message resume below.
  server = await startServer({ rateLimitMessagesPerSec: 100_000, rateLimitBurst: 100_000 });
});
afterEach(() => clients.stopAll());
afterAll(async () => {
  await server.dispose();
});

async function history(token: string, conversationId: string): Promise<Message[]> {
  const path = `/api/conversations/${conversationId}/messages?limit=100`;
  return ((await httpJson(server.server, token, 'GET', path)) as { messages: Message[] }).messages;
}

const bodiesOf = (messages: readonly Message[]) => messages.map((message) => message.body);

describe('outbox order', () => {
  test('a send made while the stored outbox is still loading goes out after the older stored sends', async () => {
    const alice = await createUser(server.server, 'Alice');
    const bob = await createUser(server.server, 'Bob');
    const conversation = await createConversation(server.server, alice, [bob]);
    // A page reloaded with two unsent messages in its (slow) stored outbox.
    const stored = createMemoryOutbox();
    const older = ['written before the reload 1', 'written before the reload 2'].map((body, index) => ({
      client_id: crypto.randomUUID(),
      conversation_id: conversation.id,
      body,
      reply_to: null,
      created_at: new Date(Date.now() - 10_000 + index).toISOString(),
      state: 'sending' as const,
    }));
    for (const message of older) await stored.put(message);
    let releaseLoad: () => void = () => undefined;
    const loaded = new Promise<void>((resolve) => (releaseLoad = resolve));
    const slowStore = { ...stored, load: async () => (await loaded, stored.load()) };

    const a = clients.make(server, alice, { outbox: slowStore });
    a.start();
    a.join(conversation.id);
    await until(() => a.status === 'open', 'open');
    a.send(conversation.id, 'typed after the reload');
    releaseLoad();

    await until(() => a.getConversation(conversation.id).pending.length === 0, 'the outbox to drain');
    expect(bodiesOf(await history(alice.token, conversation.id))).toEqual([
      'written before the reload 1',
      'written before the reload 2',
      'typed after the reload',
    ]);
  });
});

describe('recovery after a server restart', () => {
  test('re-joins with since_seq and resends the outbox: nothing lost, nothing doubled', async () => {
    const alice = await createUser(server.server, 'Alice');
    const bob = await createUser(server.server, 'Bob');
    const conversation = await createConversation(server.server, alice, [bob]);
    const bobSocket = recordingWebSocket();
    const a = clients.make(server, alice);
    const b = clients.make(server, bob, { WebSocket: bobSocket.WebSocket });
    const aStatuses: ConnectionStatus[] = [];
    a.on('status', (status) => aStatuses.push(status));
    a.start();
    b.start();
    a.join(conversation.id);
    b.join(conversation.id);
    for (const body of ['one', 'two', 'three']) a.send(conversation.id, body);
    await until(() => b.getConversation(conversation.id).messages.length === 3, 'three messages');

    await server.stop(); // graceful: every socket closed with 1001
    await until(() => a.status !== 'open' && b.status !== 'open', 'both to notice');
    a.send(conversation.id, 'typed while down 1');
    a.send(conversation.id, 'typed while down 2');
    expect(a.getConversation(conversation.id).pending.map((item) => item.body)).toEqual([
      'typed while down 1',
      'typed while down 2',
    ]);
    await server.start();

    await until(() => a.getConversation(conversation.id).pending.length === 0, 'the outbox to drain');
    await until(() => b.getConversation(conversation.id).messages.length === 5, 'b to have all five');
    const expected = ['one', 'two', 'three', 'typed while down 1', 'typed while down 2'];
    expect(bodiesOf(b.getConversation(conversation.id).messages)).toEqual(expected);
    await until(() => a.getConversation(conversation.id).messages.length === 5, 'a to have all five');
    expect(bodiesOf(a.getConversation(conversation.id).messages)).toEqual(expected);
    expect(bodiesOf(await history(alice.token, conversation.id))).toEqual(expected);
    expect(aStatuses).toContain('reconnecting');
    expect(aStatuses.at(-1)).toBe('open');

    const joins = bobSocket.sent.filter((frame) => frame.type === 'join_conversation');
    expect(joins[0]).not.toHaveProperty('since_seq');
    expect(joins.at(-1)).toMatchObject({ conversation_id: conversation.id, since_seq: 3 });
  });

  test('a resume that missed more than one resume carries takes a fresh page (has_more)', async () => {
    const alice = await createUser(server.server, 'Alice');
    const bob = await createUser(server.server, 'Bob');
    const conversation = await createConversation(server.server, alice, [bob]);
    const bobSocket = recordingWebSocket();
    const a = clients.make(server, alice);
    const b = clients.make(server, bob, { WebSocket: bobSocket.WebSocket });
    a.start();
    b.start();
    b.join(conversation.id);
    a.send(conversation.id, 'first');
    await until(() => b.getConversation(conversation.id).messages.length === 1, 'the first message');
    b.stop();
    for (let index = 0; index < 505; index++) a.send(conversation.id, `missed ${index}`);
    await until(() => a.getConversation(conversation.id).pending.length === 0, '505 acks', 30_000);

    b.start();
    await until(
      () => b.getConversation(conversation.id).joined && b.getConversation(conversation.id).lastSeq === 506,
      'the fresh page',
    );
    const view = b.getConversation(conversation.id);
    expect(view.messages).toHaveLength(50);
    expect(view.messages[0]!.seq).toBe(457);
    expect(view.messages.at(-1)!.body).toBe('missed 504');
    expect(view.hasMoreBefore).toBe(true);
    const joins = bobSocket.sent.filter((frame) => frame.type === 'join_conversation');
    expect(joins.map((frame) => frame.since_seq)).toEqual([undefined, 1, undefined]);
  });
});

describe('the outbox', () => {
  test('sends made before the connection opens go out once it does', async () => {
    const alice = await createUser(server.server, 'Alice');
    const bob = await createUser(server.server, 'Bob');
    const conversation = await createConversation(server.server, alice, [bob]);
    const a = clients.make(server, alice);
    a.send(conversation.id, 'early 1');
    a.send(conversation.id, 'early 2');
    expect(a.getConversation(conversation.id).pending).toHaveLength(2);
    a.start();
    await until(() => a.getConversation(conversation.id).pending.length === 0, 'acks');
    expect(bodiesOf(await history(alice.token, conversation.id))).toEqual(['early 1', 'early 2']);
  });

  test('a durable outbox survives a "reload": the next client sends what the last one could not', async () => {
    const alice = await createUser(server.server, 'Alice');
    const bob = await createUser(server.server, 'Bob');
    const conversation = await createConversation(server.server, alice, [bob]);
    const store = createMemoryOutbox(); // stands in for IndexedDB across the reload
    const first = clients.make(server, alice, {
      outbox: store,
      getToken: () => new Promise<string | null>(() => {}), // never connects
    });
    first.start();
    const typed = first.send(conversation.id, 'typed before the reload');
    await until(async () => (await store.load()).length === 1, 'the send to be stored');
    first.stop();

    const second = clients.make(server, alice, { outbox: store });
    second.start();
    await until(async () => (await store.load()).length === 0, 'the stored send to be acked');
    expect(second.getConversation(conversation.id).pending).toHaveLength(0);
    const messages = await history(alice.token, conversation.id);
    expect(messages.map((message) => [message.body, message.client_id])).toEqual([
      ['typed before the reload', typed.client_id],
    ]);
  });
});
