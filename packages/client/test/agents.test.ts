import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import type { Message } from '@chat/protocol';
import { ChatClient } from '../src/index';
import type { StreamStop } from '../src/index';
import { Clients, FAST_BACKOFF } from './support/clients';
import { startServer } from './support/chat-server';
import { createConversation, createUser, until } from './support/fixtures';
import type { TestServer } from './support/chat-server';

/*
 * Section 14 through ChatClient against the real chat server: an owner's agents over REST, an
 * agent's client on its API key, and a streamed answer relayed, ended and stopped. The frames
 * alone, against a scripted peer, are in streaming-frames.test.ts.
 */

let server: TestServer;
const clients = new Clients();
const made: ChatClient[] = [];

beforeAll(async () => {
  server = await startServer();
});
afterEach(() => {
  clients.stopAll();
  for (const client of made.splice(0)) client.stop();
});
afterAll(async () => {
  await server.dispose();
});

function agentClient(apiKey: string): ChatClient {
  const client = new ChatClient({ url: server.server.wsUrl, apiKey, WebSocket, backoff: FAST_BACKOFF });
  made.push(client);
  return client;
}

/** Alice, her agent (its client started and joined), and their 1:1 with Alice's client joined. */
async function aliceAndHerAgent() {
  const alice = await createUser(server.server, 'Alice');
  const a = clients.make(server, alice);
  const created = await a.createAgent({ display_name: 'Helper' });
  const conversation = await createConversation(server.server, alice, [{ id: created.agent.id }]);
  const agent = agentClient(created.api_key);
  for (const client of [a, agent]) {
    client.start();
    client.join(conversation.id);
  }
  await until(
    () => a.getConversation(conversation.id).joined && agent.getConversation(conversation.id).joined,
    'both joined',
  );
  return { alice, a, agent, created, conversationId: conversation.id };
}

describe('agents over REST', () => {
  test('create, list, update, rotate and delete through the owner’s client', async () => {
    const alice = await createUser(server.server, 'Alice');
    const a = clients.make(server, alice);
    const created = await a.createAgent({ display_name: 'Helper', description: 'answers questions' });
    expect(created.api_key.startsWith('chat_ak_')).toBe(true);
    expect(created.webhook_secret.startsWith('whsec_')).toBe(true);
    expect(created.agent).toMatchObject({ display_name: 'Helper', is_agent: true, owner_id: alice.id });
    expect((await a.listAgents()).map((agent) => agent.id)).toEqual([created.agent.id]);
    const updated = await a.updateAgent(created.agent.id, { description: 'answers briefly', public: true });
    expect(updated).toMatchObject({ description: 'answers briefly', public: true });
    const rotated = await a.rotateAgentKey(created.agent.id);
    expect(rotated.startsWith('chat_ak_')).toBe(true);
    expect(rotated).not.toBe(created.api_key);
    await a.deleteAgent(created.agent.id);
    expect(await a.listAgents()).toEqual([]);
  });
});

describe('an agent’s client on its API key', () => {
  test('authenticates as the agent on the socket, and on REST with the key as Bearer', async () => {
    const { agent, created, conversationId } = await aliceAndHerAgent();
    expect(agent.status).toBe('open');
    expect(agent.user).toMatchObject({ id: created.agent.id, is_agent: true });
    expect(await agent.api.me()).toMatchObject({ id: created.agent.id });
    expect((await agent.loadConversations()).map((conversation) => conversation.id)).toEqual([
      conversationId,
    ]);
  });

  test('a rotated key closes its socket, and the client stops: the old key is refused', async () => {
    const { a, agent, created } = await aliceAndHerAgent();
    await a.rotateAgentKey(created.agent.id);
    await until(() => agent.status === 'closed', 'the old key refused');
    expect(agent.closeReason).toMatch(/API key/);
  });
});

describe('a streamed answer', () => {
  test('relayed into the members’ streams, then stored once as the completed message', async () => {
    const { a, agent, conversationId } = await aliceAndHerAgent();
    const started = await agent.startStream(conversationId);
    expect(started).toMatchObject({ state: 'streaming', body: '' });
    await until(
      () => a.getConversation(conversationId).messages.some((m) => m.id === started.id),
      'the start',
    );
    agent.streamMessage(started.id, 'Two plus');
    await until(() => a.getConversation(conversationId).streams[started.id] === 'Two plus', 'the relay');
    await agent.endStream(started.id, 'Two plus two is four.');
    await until(
      () => a.getConversation(conversationId).messages.find((m) => m.id === started.id)?.state === 'complete',
      'completed',
    );
    const view = a.getConversation(conversationId);
    expect(view.streams).toEqual({});
    expect(view.messages.find((m) => m.id === started.id)).toMatchObject({
      body: 'Two plus two is four.',
      seq: started.seq,
    });
    expect(view.lastSeq).toBe(started.seq + 1); // one seq for the send, one for `completed`
  });

  test('a member who joins mid-stream sees the text so far', async () => {
    const { alice, a, agent, conversationId } = await aliceAndHerAgent();
    const started = await agent.startStream(conversationId);
    agent.streamMessage(started.id, 'The text so far');
    await until(
      () => a.getConversation(conversationId).streams[started.id] === 'The text so far',
      'the relay',
    );
    const later = clients.make(server, alice); // Alice's other device, opened now
    later.start();
    later.join(conversationId);
    await until(
      () => later.getConversation(conversationId).streams[started.id] === 'The text so far',
      'the joiner',
    );
    expect(later.getConversation(conversationId).messages.find((m) => m.id === started.id)?.state).toBe(
      'streaming',
    );
  });

  test('a member’s stop reaches the agent as stream_stop; it ends the stream stopped', async () => {
    const { alice, a, agent, conversationId } = await aliceAndHerAgent();
    const stops: StreamStop[] = [];
    agent.on('stream_stop', (stop) => stops.push(stop));
    const started = await agent.startStream(conversationId);
    agent.streamMessage(started.id, 'Once upon');
    await a.stopStream(started.id);
    await until(() => stops.length === 1, 'stream_stop');
    expect(stops[0]).toEqual({ conversation_id: conversationId, message_id: started.id, by: alice.id });
    await agent.endStream(started.id, 'Once upon', 'stopped');
    await until(
      () => a.getConversation(conversationId).messages.find((m) => m.id === started.id)?.state === 'stopped',
      'stopped',
    );
  });

  test('a stop pressed while the member is offline is sent when it is back', async () => {
    const { a, agent, conversationId } = await aliceAndHerAgent();
    const stops: StreamStop[] = [];
    agent.on('stream_stop', (stop) => stops.push(stop));
    const started = await agent.startStream(conversationId);
    a.stop();
    const stopped = a.stopStream(started.id);
    a.start();
    await stopped;
    await until(() => stops.length === 1, 'stream_stop after the reconnect');
    expect(stops[0]?.message_id).toBe(started.id);
  });

  test('agent_status shows in the members’ view until idle', async () => {
    const { a, agent, created, conversationId } = await aliceAndHerAgent();
    agent.setAgentStatus(conversationId, 'working', 'reading the docs');
    await until(() => a.getConversation(conversationId).agentStatuses.length === 1, 'the status');
    expect(a.getConversation(conversationId).agentStatuses).toEqual([
      { user_id: created.agent.id, status: 'working', detail: 'reading the docs' },
    ]);
    agent.setAgentStatus(conversationId, 'idle');
    await until(() => a.getConversation(conversationId).agentStatuses.length === 0, 'idle');
  });

  test('the message a person sends is heard by the agent’s client', async () => {
    const { a, agent, conversationId } = await aliceAndHerAgent();
    const heard: Message[] = [];
    agent.on('message', (message) => heard.push(message));
    a.send(conversationId, 'hello agent');
    await until(() => heard.length === 1, 'the message');
    expect(heard[0]?.body).toBe('hello agent');
  });
});
