import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { ConnectionStatus } from '../src/index';
import { Clients, recordingWebSocket } from './support/clients';
import { startServer } from './support/chat-server';
import { createConversation, createUser, httpJson, until } from './support/fixtures';
import type { TestServer } from './support/chat-server';
import { ManualClock } from '@chat/testkit';
import { TcpProxy } from './support/tcp-proxy';
import { signToken } from './support/tokens';

let server: TestServer;
const clients = new Clients();

beforeAll(async () => {
  server = await startServer();
});
afterEach(() => clients.stopAll());
afterAll(async () => {
  await server.dispose();
});

/** Far past every timer a client sets in these tests (backoff, heartbeat, handshake). */
const AGES_MS = 10 * 60_000;

function statusLog(client: { on(event: 'status', handler: (status: ConnectionStatus) => void): () => void }) {
  const log: ConnectionStatus[] = [];
  client.on('status', (status) => log.push(status));
  return log;
}

describe('connect and authenticate', () => {
  test("'connecting', then 'open' only after `authenticated`, with the user", async () => {
    const alice = await createUser(server.server, 'Alice');
    const client = clients.make(server, alice);
    const log = statusLog(client);
    const authenticated: string[] = [];
    client.on('authenticated', (user) => authenticated.push(user.id));
    expect(client.status).toBe('connecting');
    client.start();
    await until(() => client.status === 'open', 'open');
    expect(log).toEqual(['open']);
    expect(client.user).toMatchObject({ id: alice.id, display_name: 'Alice' });
    expect(authenticated).toEqual([alice.id]);
  });

  test('start() is idempotent: one socket', async () => {
    const alice = await createUser(server.server, 'Alice');
    const recording = recordingWebSocket();
    const client = clients.make(server, alice, { WebSocket: recording.WebSocket });
    client.start();
    client.start();
    await until(() => client.status === 'open', 'open');
    client.start();
    expect(recording.sockets).toHaveLength(1);
    expect(recording.sent.filter((frame) => frame.type === 'authenticate')).toHaveLength(1);
  });

  test("stop() closes with 1000: 'closed', and no reconnect", async () => {
    const alice = await createUser(server.server, 'Alice');
    const recording = recordingWebSocket();
    const clock = new ManualClock();
    const client = clients.make(server, alice, { WebSocket: recording.WebSocket, clock });
    client.start();
    await until(() => client.status === 'open', 'open');
    const closed = new Promise<number>((resolve) => recording.sockets[0]!.on('close', resolve));
    client.stop();
    expect(client.status).toBe('closed');
    expect(client.closeReason).toBe('stopped by the client');
    expect(await closed).toBe(1000);
    // No timer is left that could reconnect, however long we wait.
    expect(clock.pending).toBe(0);
    clock.advance(AGES_MS);
    expect(recording.sockets).toHaveLength(1);
    expect(client.status).toBe('closed');
    // ... and a stopped client can start again.
    client.start();
    await until(() => client.status === 'open', 'open again');
  });

  test("a refused token is final: 'closed' with a reason, not a reconnect loop", async () => {
    const intruder = { id: randomUUID(), email: 'x@example.test', displayName: 'X' };
    const forged = await signToken(intruder, 3600, 'a-different-secret-that-is-long-enough-too');
    let asked = 0;
    const recording = recordingWebSocket();
    const clock = new ManualClock();
    const client = clients.make(
      server,
      { ...intruder, token: forged },
      {
        WebSocket: recording.WebSocket,
        clock,
        getToken: async () => {
          asked++;
          return forged;
        },
      },
    );
    client.start();
    await until(() => client.status === 'closed', 'closed');
    expect(client.closeReason).toMatch(/refused the access token/);
    // The server closes its side too; once that close is in, nothing may be scheduled.
    await until(
      () => recording.sockets[0]!.readyState === recording.sockets[0]!.CLOSED,
      'the socket to close',
    );
    expect(clock.pending).toBe(0);
    clock.advance(AGES_MS);
    expect(asked).toBe(1);
    expect(recording.sockets).toHaveLength(1);
    expect(client.status).toBe('closed');
  });

  test("getToken() returning null (signed out): 'closed'", async () => {
    const client = clients.make(server, await createUser(server.server, 'Alice'), {
      getToken: async () => null,
    });
    client.start();
    await until(() => client.status === 'closed', 'closed');
    expect(client.closeReason).toMatch(/signed out/);
  });

  test('the token is refreshed on the open socket before it expires (no reconnect)', async () => {
    const alice = await createUser(server.server, 'Alice');
    const tokens: string[] = [];
    const recording = recordingWebSocket();
    const client = clients.make(server, alice, {
      WebSocket: recording.WebSocket,
      // Each token lives 3 s: refreshed at half its remaining life.
      getToken: async () => {
        const token = await signToken({ ...alice }, 3);
        tokens.push(token);
        return token;
      },
    });
    const log = statusLog(client);
    client.start();
    await until(() => client.status === 'open', 'open');
    const firstExpiry = JSON.parse(atob(tokens[0]!.split('.')[1]!)).exp * 1000;
    // Past the first token's exp plus the server's one-second grace.
    await until(() => Date.now() > firstExpiry + 1_500, 'the first token to expire', 10_000, 50);
    expect(client.status).toBe('open');
    expect(recording.sockets).toHaveLength(1);
    expect(log).toEqual(['open']);
    expect(recording.sent.filter((frame) => frame.type === 'authenticate').length).toBeGreaterThanOrEqual(2);
    expect(new Set(tokens).size).toBe(tokens.length);
  });
});

describe('heartbeat', () => {
  test('no pong in time: the dead (half-open) socket is dropped and the client reconnects', async () => {
    const alice = await createUser(server.server, 'Alice');
    const bob = await createUser(server.server, 'Bob');
    const conversation = await createConversation(server.server, alice, [bob]);
    const proxy = await TcpProxy.start(server.server.port);
    try {
      const recording = recordingWebSocket();
      const client = clients.make(server, alice, {
        url: `ws://127.0.0.1:${proxy.port}/ws`,
        WebSocket: recording.WebSocket,
        heartbeat: { intervalMs: 200, timeoutMs: 400 },
      });
      const log = statusLog(client);
      client.start();
      client.join(conversation.id);
      await until(() => client.getConversation(conversation.id).joined, 'joined');
      proxy.freeze(); // the TCP connection stays up; nothing moves any more
      await until(() => log.includes('reconnecting'), 'the dead socket to be noticed');
      expect(client.lastDisconnectReason).toMatch(/pong/);
      await until(() => client.status === 'open' && client.getConversation(conversation.id).joined, 'rejoin');
      expect(recording.sockets.length).toBeGreaterThanOrEqual(2);
      const sent = client.send(conversation.id, 'still here');
      await until(() => client.getConversation(conversation.id).pending.length === 0, 'ack');
      expect(client.getConversation(conversation.id).messages.map((m) => m.client_id)).toContain(
        sent.client_id,
      );
    } finally {
      await proxy.close();
    }
  });
});

describe('sends are exactly-once across lost acks', () => {
  test('an ack lost with its socket: resent with the same client_id, stored once', async () => {
    const alice = await createUser(server.server, 'Alice');
    const bob = await createUser(server.server, 'Bob');
    const conversation = await createConversation(server.server, alice, [bob]);
    const proxy = await TcpProxy.start(server.server.port);
    try {
      const recording = recordingWebSocket();
      const a = clients.make(server, alice, {
        url: `ws://127.0.0.1:${proxy.port}/ws`,
        WebSocket: recording.WebSocket,
        heartbeat: { intervalMs: 200, timeoutMs: 400 },
      });
      const b = clients.make(server, bob);
      a.start();
      b.start();
      b.join(conversation.id);
      await until(() => a.status === 'open' && b.getConversation(conversation.id).joined, 'ready');
      proxy.deafen(); // the server gets the send; its ack never comes back
      const sent = a.send(conversation.id, 'exactly once');
      await until(() => b.getConversation(conversation.id).messages.length === 1, 'b to receive it');
      await until(() => a.getConversation(conversation.id).pending.length === 0, 'the resend to be acked');
      const sends = recording.sent.filter((frame) => frame.type === 'send_message');
      expect(sends.length).toBeGreaterThanOrEqual(2);
      expect(new Set(sends.map((frame) => frame.client_id))).toEqual(new Set([sent.client_id]));
      const history = (await httpJson(
        server.server,
        alice.token,
        'GET',
        `/api/conversations/${conversation.id}/messages`,
      )) as { messages: Array<{ body: string }> };
      expect(history.messages.map((message) => message.body)).toEqual(['exactly once']);
      expect(b.getConversation(conversation.id).messages).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });
});
