import { afterEach, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { ChatClient } from '../src/index';
import type { ChatClientOptions } from '../src/index';
import { recordingWebSocket } from './support/clients';
import { until } from './support/fixtures';
import { ManualClock } from '@chat/testkit';
import { ScriptedServer } from './support/scripted-server';
import { signToken } from './support/tokens';

/*
 * Close codes as docs/protocol.md section 6 says, against a scripted `ws` peer
 * (real sockets): the chat server itself reaches these only in rare states.
 */

const servers: ScriptedServer[] = [];
const clients: ChatClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.stop();
  for (const server of servers.splice(0)) await server.close();
});

const someone = { id: '00000000-0000-4000-8000-00000000000a', email: 'a@example.test', displayName: 'A' };

async function setup(
  script: Parameters<typeof ScriptedServer.start>[0],
  options: Partial<ChatClientOptions> = {},
) {
  const server = await ScriptedServer.start(script);
  servers.push(server);
  const client = new ChatClient({
    url: server.url,
    getToken: () => signToken(someone),
    WebSocket,
    backoff: { initialMs: 20, maxMs: 100, floodPauseMs: 600 },
    ...options,
  });
  clients.push(client);
  client.start();
  return { server, client };
}

describe('close codes', () => {
  test("1000 from the server: 'closed', no reconnect", async () => {
    const clock = new ManualClock();
    const recording = recordingWebSocket();
    const { client } = await setup(
      { onAuthenticated: (socket) => socket.close(1000, 'bye') },
      { clock, WebSocket: recording.WebSocket },
    );
    await until(() => client.status === 'closed', 'closed');
    expect(client.closeReason).toMatch(/1000/);
    // No timer is left that could reconnect, however long we wait.
    expect(clock.pending).toBe(0);
    clock.advance(10 * 60_000);
    expect(recording.sockets).toHaveLength(1);
  });

  test('4029 (flooding): reconnects, but only after the longer pause', async () => {
    const clock = new ManualClock();
    const recording = recordingWebSocket();
    const { server, client } = await setup(
      {
        onAuthenticated: (socket, index) => {
          if (index === 0) socket.close(4029, 'flooding');
        },
      },
      { clock, WebSocket: recording.WebSocket },
    );
    await until(() => client.status === 'reconnecting', 'the close');
    clock.advance(599); // the backoff alone (under 100 ms here) would have reconnected by now
    expect(recording.sockets).toHaveLength(1);
    clock.advance(1);
    expect(recording.sockets).toHaveLength(2);
    await until(() => server.connections.length === 2 && client.status === 'open', 'the reconnect');
  });

  test('4001 on an open session (token expired): a fresh token, then reconnect', async () => {
    const { server, client } = await setup({
      onAuthenticated: (socket, index) => {
        if (index === 0) socket.close(4001, 'token expired');
      },
    });
    await until(() => server.connections.length === 2 && client.status === 'open', 'the reconnect');
    const [first, second] = server.connections.map((connection) => connection.tokens[0]);
    expect(second).toBeTruthy();
    expect(second).not.toBe(first);
  });

  test('1001, 1011, 1013, 4008: reconnect', async () => {
    const codes = [1001, 1011, 1013, 4008];
    const { server, client } = await setup({
      onAuthenticated: (socket, index) => {
        if (index < codes.length) socket.close(codes[index]);
      },
    });
    await until(
      () => server.connections.length === codes.length + 1 && client.status === 'open',
      'reconnects',
    );
  });

  test('start() while waiting out a backoff reconnects at once ("Reconnect now")', async () => {
    const { server, client } = await setup(
      {
        onAuthenticated: (socket, index) => {
          if (index === 0) socket.close(1001);
        },
      },
      { backoff: { initialMs: 600_000, maxMs: 600_000 } },
    );
    await until(() => server.connections.length === 1 && client.status === 'reconnecting', 'the close');
    client.start();
    await until(() => server.connections.length === 2 && client.status === 'open', 'the reconnect');
  });

  test('no `authenticated` in time: the handshake is abandoned and retried', async () => {
    const { server, client } = await setup({ answer: (index) => index > 0 }, { handshakeTimeoutMs: 300 });
    await until(() => server.connections.length === 2 && client.status === 'open', 'the retry');
    expect(client.lastDisconnectReason).toMatch(/in time/);
  });
});

describe('frame validation', () => {
  test('frames failing their schema are dropped and counted; the connection stays', async () => {
    const { client } = await setup({
      onAuthenticated: (socket) => {
        socket.send('not json');
        socket.send(JSON.stringify({ type: 'message', message: { id: 'not a uuid' } }));
        socket.send(JSON.stringify({ type: 'no_such_frame' }));
      },
    });
    await until(() => client.invalidFrames === 3, 'three invalid frames');
    expect(client.status).toBe('open');
  });
});
