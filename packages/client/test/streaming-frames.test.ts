import { afterEach, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import type { WebSocket as PeerSocket } from 'ws';
import { ChatClient, ChatError } from '../src/index';
import type { ChatClientOptions, StreamStop } from '../src/index';
import { ManualClock } from '@chat/testkit';
import { ALICE, BOB, CONVERSATION, joinedFrame, message } from './support/messages';
import { ScriptedServer } from './support/scripted-server';
import { until } from './support/fixtures';

/*
 * Section 14 on the client, against a scripted `ws` peer (real sockets): the agent key on
 * `authenticate`, the frames a streaming message and an agent status bring folded into the
 * conversation's view, and what the client sends to start, relay, end and stop a stream.
 * The same paths against the real chat server are in streaming.test.ts.
 */

const servers: ScriptedServer[] = [];
const clients: ChatClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.stop();
  for (const server of servers.splice(0)) await server.close();
});

const API_KEY = 'chat_ak_scripted-test-key';

type Script = Parameters<typeof ScriptedServer.start>[0];

/** A peer that authenticates anyone as Alice and answers every join with `joined`. */
async function setup(script: Script = {}, options: Partial<ChatClientOptions> = {}) {
  const server = await ScriptedServer.start({
    expiresAt: null,
    ...script,
    onFrame: (socket, frame, connection) => {
      if (frame.type === 'join_conversation') {
        send(socket, { ...joinedFrame(joinedMessages, 1), ref: frame.ref });
      }
      script.onFrame?.(socket, frame, connection);
    },
  });
  servers.push(server);
  const client = new ChatClient({
    url: server.url,
    apiKey: API_KEY,
    WebSocket,
    backoff: { initialMs: 20, maxMs: 100 },
    ...options,
  });
  clients.push(client);
  return { server, client };
}

/** Bob's streaming message, as the join finds it. */
const streaming = message(1, { body: '', state: 'streaming' });
const joinedMessages = [streaming];

function send(socket: PeerSocket, frame: Record<string, unknown>): void {
  socket.send(JSON.stringify(frame));
}

async function joinedClient(script: Script = {}, options: Partial<ChatClientOptions> = {}) {
  let peer: PeerSocket | undefined;
  const setupResult = await setup(
    {
      ...script,
      onAuthenticated: (socket, connection) => {
        peer = socket;
        script.onAuthenticated?.(socket, connection);
      },
    },
    options,
  );
  const { client } = setupResult;
  client.start();
  client.join(CONVERSATION);
  await until(() => client.getConversation(CONVERSATION).joined, 'joined');
  return { ...setupResult, peer: () => peer! };
}

describe('an agent key', () => {
  test('authenticates with {api_key} (no token), and REST would carry it as the Bearer', async () => {
    const { server, client } = await setup();
    client.start();
    await until(() => client.status === 'open', 'open');
    const auth = server.received.find((frame) => frame.type === 'authenticate');
    expect(auth).toMatchObject({ type: 'authenticate', api_key: API_KEY });
    expect(auth).not.toHaveProperty('token');
  });

  test('a refused key is final: closed with the reason, no retry', async () => {
    // The peer does not answer `authenticate` itself: the test refuses it.
    const { server, client } = await setup({ answer: () => false });
    client.start();
    await until(() => server.received.some((frame) => frame.type === 'authenticate'), 'authenticate');
    const auth = server.received.find((frame) => frame.type === 'authenticate')!;
    server.connections[0]!.socket.send(
      JSON.stringify({ type: 'error', ref: auth.ref, code: 'unauthorized', message: 'unknown key' }),
    );
    await until(() => client.status === 'closed', 'closed');
    expect(client.closeReason).toMatch(/API key/);
    expect(server.connections).toHaveLength(1);
  });

  test('without getToken or apiKey the client cannot be made', () => {
    expect(() => new ChatClient({ url: 'ws://127.0.0.1:1/ws', WebSocket })).toThrow(/apiKey/);
  });
});

describe('message_stream into the view', () => {
  test('the latest relayed text shows in streams, and goes when the completed update arrives', async () => {
    const { client, peer } = await joinedClient();
    const view = () => client.getConversation(CONVERSATION);
    expect(view().streams).toEqual({});
    send(peer(), {
      type: 'message_stream',
      conversation_id: CONVERSATION,
      message_id: streaming.id,
      body: 'Hel',
    });
    await until(() => view().streams[streaming.id] === 'Hel', 'the first relay');
    send(peer(), {
      type: 'message_stream',
      conversation_id: CONVERSATION,
      message_id: streaming.id,
      body: 'Hello wor',
    });
    await until(() => view().streams[streaming.id] === 'Hello wor', 'the second relay');
    const snapshot = view();
    expect(view()).toBe(snapshot); // the same object until something changes

    const completed = { ...streaming, body: 'Hello world', state: 'complete', updated_seq: 2 };
    send(peer(), { type: 'message_updated', message: completed, change: 'completed' });
    await until(() => view().messages[0]?.state === 'complete', 'completed');
    expect(view().streams).toEqual({});
    expect(view().messages[0]?.body).toBe('Hello world');

    // A relay that crossed the completed update is ignored.
    send(peer(), {
      type: 'message_stream',
      conversation_id: CONVERSATION,
      message_id: streaming.id,
      body: 'Hello',
    });
    send(peer(), { type: 'pong', server_time: new Date().toISOString() });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(view().streams).toEqual({});
  });

  test('relays are dropped when the socket is lost (the re-join brings the stored state)', async () => {
    const { client, peer } = await joinedClient();
    send(peer(), {
      type: 'message_stream',
      conversation_id: CONVERSATION,
      message_id: streaming.id,
      body: 'partial',
    });
    await until(() => client.getConversation(CONVERSATION).streams[streaming.id] === 'partial', 'relay');
    peer().terminate();
    await until(() => Object.keys(client.getConversation(CONVERSATION).streams).length === 0, 'dropped');
    await until(() => client.getConversation(CONVERSATION).joined, 'joined again');
  });
});

describe('agent_status into the view', () => {
  test('thinking and working show with their detail; idle removes; our own is ignored', async () => {
    const { client, peer } = await joinedClient();
    const statuses = () => client.getConversation(CONVERSATION).agentStatuses;
    const status = (userId: string, value: string, detail: string | null = null) =>
      send(peer(), {
        type: 'agent_status',
        conversation_id: CONVERSATION,
        user_id: userId,
        status: value,
        detail,
      });
    status(ALICE, 'thinking'); // Alice is this client's user
    status(BOB, 'thinking');
    await until(() => statuses().length === 1, 'thinking');
    expect(statuses()).toEqual([{ user_id: BOB, status: 'thinking', detail: null }]);
    status(BOB, 'working', 'searching the web');
    await until(() => statuses()[0]?.status === 'working', 'working');
    expect(statuses()).toEqual([{ user_id: BOB, status: 'working', detail: 'searching the web' }]);
    status(BOB, 'idle');
    await until(() => statuses().length === 0, 'idle');
  });

  test('a status not refreshed for 65 s expires here, even if its idle was lost', async () => {
    const clock = new ManualClock();
    // No heartbeat within the minutes moved on: the socket must stay up.
    const { client, peer } = await joinedClient({}, { clock, heartbeat: { intervalMs: 3_600_000 } });
    const statuses = () => client.getConversation(CONVERSATION).agentStatuses;
    send(peer(), {
      type: 'agent_status',
      conversation_id: CONVERSATION,
      user_id: BOB,
      status: 'thinking',
      detail: null,
    });
    await until(() => statuses().length === 1, 'thinking');
    clock.advance(64_000);
    send(peer(), {
      type: 'agent_status',
      conversation_id: CONVERSATION,
      user_id: BOB,
      status: 'thinking',
      detail: null,
    });
    // The refresh restarts the 65 s: a frame after it proves it was applied.
    send(peer(), {
      type: 'message_stream',
      conversation_id: CONVERSATION,
      message_id: streaming.id,
      body: 'x',
    });
    await until(() => client.getConversation(CONVERSATION).streams[streaming.id] === 'x', 'the frame after');
    clock.advance(64_000);
    expect(statuses()).toHaveLength(1);
    clock.advance(1_000);
    expect(statuses()).toEqual([]);
  });

  test('statuses are cleared when the socket is lost', async () => {
    const { client, peer } = await joinedClient();
    send(peer(), {
      type: 'agent_status',
      conversation_id: CONVERSATION,
      user_id: BOB,
      status: 'working',
      detail: null,
    });
    await until(() => client.getConversation(CONVERSATION).agentStatuses.length === 1, 'working');
    peer().terminate();
    await until(() => client.getConversation(CONVERSATION).agentStatuses.length === 0, 'cleared');
  });
});

describe('sending a stream', () => {
  test('startStream sends streaming: true through the outbox and resolves with the acked message', async () => {
    const { client, server } = await joinedClient({
      onFrame: (socket, frame) => {
        if (frame.type !== 'send_message') return;
        const stored = message(2, {
          sender_id: ALICE,
          client_id: frame.client_id as string,
          body: frame.body as string,
          state: 'streaming',
        });
        send(socket, { type: 'message_ack', client_id: frame.client_id, message: stored });
      },
    });
    const started = await client.startStream(CONVERSATION);
    expect(started).toMatchObject({ state: 'streaming', body: '', sender_id: ALICE });
    expect(server.received.find((frame) => frame.type === 'send_message')).toMatchObject({
      conversation_id: CONVERSATION,
      body: '',
      streaming: true,
    });
    expect(client.getConversation(CONVERSATION).pending).toEqual([]);

    client.streamMessage(started.id, 'Hello');
    client.setAgentStatus(CONVERSATION, 'working', 'writing');
    await until(() => server.received.some((frame) => frame.type === 'agent_status'), 'the status');
    expect(server.received.filter((frame) => frame.type === 'stream_message')).toEqual([
      { type: 'stream_message', message_id: started.id, body: 'Hello' },
    ]);
    expect(server.received.find((frame) => frame.type === 'agent_status')).toEqual({
      type: 'agent_status',
      conversation_id: CONVERSATION,
      status: 'working',
      detail: 'writing',
    });
  });

  test('a refused start rejects with its ChatError and leaves nothing pending', async () => {
    const { client } = await joinedClient({
      onFrame: (socket, frame) => {
        if (frame.type !== 'send_message') return;
        send(socket, { type: 'error', code: 'forbidden', message: 'no', client_id: frame.client_id });
      },
    });
    await expect(client.startStream(CONVERSATION, { body: 'x' })).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect(client.getConversation(CONVERSATION).pending).toEqual([]);
  });

  test('endStream sends end_stream (state only when stopped) and resolves on the ack', async () => {
    const { client, server } = await joinedClient({
      onFrame: (socket, frame) => {
        if (frame.type === 'end_stream') send(socket, { type: 'ack', ref: frame.ref });
      },
    });
    await client.endStream(streaming.id, 'done');
    await client.endStream(streaming.id, 'part', 'stopped');
    const ends = server.received.filter((frame) => frame.type === 'end_stream');
    expect(ends).toEqual([
      { type: 'end_stream', message_id: streaming.id, body: 'done', ref: ends[0]!.ref },
      { type: 'end_stream', message_id: streaming.id, body: 'part', state: 'stopped', ref: ends[1]!.ref },
    ]);
  });

  test('endStream while offline rejects with disconnected', async () => {
    const { client } = await setup();
    const error = await client.endStream(streaming.id, 'x').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChatError);
    expect((error as ChatError).code).toBe('disconnected');
  });
});

describe('stream_stop and stopStream', () => {
  test('stream_stop is an event with who asked', async () => {
    const { client, peer } = await joinedClient();
    const stops: StreamStop[] = [];
    client.on('stream_stop', (stop) => stops.push(stop));
    send(peer(), { type: 'stream_stop', conversation_id: CONVERSATION, message_id: streaming.id, by: BOB });
    await until(() => stops.length === 1, 'the event');
    expect(stops).toEqual([{ conversation_id: CONVERSATION, message_id: streaming.id, by: BOB }]);
  });

  test('a stop asked while offline is sent on the next authentication', async () => {
    const { client, server } = await setup({
      onFrame: (socket, frame) => {
        if (frame.type === 'stop_stream') send(socket, { type: 'ack', ref: frame.ref });
      },
    });
    const stopped = client.stopStream(streaming.id);
    client.start();
    await stopped;
    const types = server.received.map((frame) => frame.type);
    expect(types.indexOf('stop_stream')).toBeGreaterThan(types.indexOf('authenticate'));
  });

  test('a stop whose socket died before the reply is sent again on the next socket', async () => {
    const { client, server } = await joinedClient({
      onFrame: (socket, frame, connection) => {
        if (frame.type !== 'stop_stream') return;
        if (connection === 0)
          socket.terminate(); // the reply is lost with the socket
        else send(socket, { type: 'ack', ref: frame.ref });
      },
    });
    await client.stopStream(streaming.id);
    expect(server.received.filter((frame) => frame.type === 'stop_stream')).toHaveLength(2);
    expect(server.connections).toHaveLength(2);
  });

  test('a stop of a message that already ended (conflict) resolves; another refusal rejects', async () => {
    const { client } = await joinedClient({
      onFrame: (socket, frame) => {
        if (frame.type !== 'stop_stream') return;
        const code = frame.message_id === streaming.id ? 'conflict' : 'forbidden';
        send(socket, { type: 'error', ref: frame.ref, code, message: code });
      },
    });
    await client.stopStream(streaming.id);
    await expect(client.stopStream(message(9).id)).rejects.toMatchObject({ code: 'forbidden' });
  });
});
