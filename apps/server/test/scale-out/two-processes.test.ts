import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message } from '@chat/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type ChatServer, type ServerConfig } from '../../src/index';
import {
  connectAs,
  createConversation,
  createUser,
  joinedSocket,
  newClientId,
  type TestUser,
} from '../support/fixtures';
import { TEST_REDIS_URL, redisUnavailableReason, uniquePrefix } from '../support/redis';
import { TEST_JWT_SECRET } from '../support/test-server';

const redisMissing = await redisUnavailableReason();
if (redisMissing) console.warn(`scale-out tests skipped: ${redisMissing}`);

/**
 * Two server processes (two createServer instances, as separate as processes
 * are: own sockets, rooms, send queues and storage connections) sharing one
 * database and one Redis: PROTOCOL 5 holds across them.
 */
describe.skipIf(redisMissing !== null)('scale-out: two servers, one database, Redis fan-out', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-scale-'));
  let a: ChatServer;
  let b: ChatServer;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let conversationId: string;

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
      rateLimitMessagesPerSec: 10_000,
      rateLimitBurst: 10_000,
    };
    a = await createServer(shared);
    b = await createServer(shared);
    alice = await createUser(a, 'Alice');
    bob = await createUser(b, 'Bob');
    carol = await createUser(a, 'Carol');
    conversationId = (await createConversation(a, alice, [bob, carol])).id;
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('scale-out: a conversation frame reaches a member connected to the other server', async () => {
    const bobSocket = await connectAs(b, bob);
    const dave = await createUser(a, 'Dave');
    const created = await createConversation(a, dave, [bob]);
    const frame = await bobSocket.waitFor((f) => f.type === 'conversation');
    expect((frame.conversation as { id: string }).id).toBe(created.id);
    bobSocket.close();
  });

  it('scale-out: presence and typing cross servers', async () => {
    const { socket: aliceSocket } = await joinedSocket(a, alice, conversationId);
    const { socket: bobSocket } = await joinedSocket(b, bob, conversationId);
    const online = await aliceSocket.waitFor((f) => f.type === 'presence' && f.user_id === bob.id);
    expect(online.online).toBe(true);
    bobSocket.send({ type: 'typing', conversation_id: conversationId, is_typing: true });
    await aliceSocket.waitFor((f) => f.type === 'typing' && f.user_id === bob.id && f.is_typing === true);
    bobSocket.close();
    await aliceSocket.waitFor((f) => f.type === 'presence' && f.user_id === bob.id && f.online === false);
    aliceSocket.close();
  });

  it('scale-out: a joiner on one server is told at once of someone already typing on the other', async () => {
    const { socket: aliceSocket } = await joinedSocket(a, alice, conversationId);
    const { socket: bobSocket } = await joinedSocket(b, bob, conversationId);
    bobSocket.send({ type: 'typing', conversation_id: conversationId, is_typing: true });
    // Alice's room on server a has heard it; Carol joins there afterwards.
    await aliceSocket.waitFor((f) => f.type === 'typing' && f.user_id === bob.id && f.is_typing === true);
    const { socket: carolSocket } = await joinedSocket(a, carol, conversationId);
    await carolSocket.waitFor((f) => f.type === 'typing' && f.user_id === bob.id && f.is_typing === true);
    for (const socket of [aliceSocket, bobSocket, carolSocket]) socket.close();
  });

  it('scale-out: concurrent senders on both servers: every joined connection sees every message once, gapless, in the same order', async () => {
    const watchers = await Promise.all([
      joinedSocket(a, alice, conversationId),
      joinedSocket(b, bob, conversationId),
      joinedSocket(a, carol, conversationId),
    ]);
    const startSeq = Math.max(...watchers.map(({ joined }) => Number(joined.last_seq)));
    const senders = [
      { socket: await connectAs(a, alice), count: 300 },
      { socket: await connectAs(b, bob), count: 300 },
    ];
    for (const { socket, count } of senders) {
      for (let index = 0; index < count; index++) {
        socket.send({
          type: 'send_message',
          conversation_id: conversationId,
          client_id: newClientId(),
          body: `m${index}`,
        });
      }
    }
    await Promise.all(senders.map(({ socket, count }) => socket.collect('message_ack', count, 30_000)));
    const orders: string[][] = [];
    for (const { socket } of watchers) {
      const messages = (await socket.collect('message', 600, 30_000))
        .map((frame) => frame.message as Message)
        .filter((message) => message.seq > startSeq);
      expect(messages).toHaveLength(600);
      expect(messages.map((message) => message.updated_seq)).toEqual(
        Array.from({ length: 600 }, (_, index) => startSeq + index + 1),
      );
      orders.push(messages.map((message) => message.id));
    }
    expect(orders[1]).toEqual(orders[0]);
    expect(orders[2]).toEqual(orders[0]);
    for (const { socket } of [...watchers, ...senders]) socket.close();
  });
});
