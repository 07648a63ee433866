import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type ChatServer, type ServerConfig } from '../../src/index';
import { connectAs, createConversation, createUser, joinedSocket, type TestUser } from '../support/fixtures';
import { createTestSchema } from '../support/postgres';
import { frameOf, sendMessage } from '../support/protocol';
import { TEST_REDIS_URL, redisUnavailableReason, uniquePrefix } from '../support/redis';
import { startServerProcess } from '../support/server-process';
import { TestSocket, type AnyFrame } from '../support/test-socket';
import { TEST_JWT_SECRET } from '../support/test-server';

const redisMissing = await redisUnavailableReason();
const postgresMissing = await createTestSchema().then(
  async (schema) => {
    await schema.drop();
    return null;
  },
  (error: unknown) => `PostgreSQL unavailable: ${String(error)}`,
);
const missing = redisMissing ?? postgresMissing;
if (missing) console.warn(`scale-out streaming tests skipped: ${missing}`);

const DAY_MS = 24 * 3600 * 1000;

const isUpdateOf = (messageId: string) => (frame: AnyFrame) =>
  frame.type === 'message_updated' && frame.message.id === messageId;

async function stream(socket: TestSocket, messageId: string, body: string): Promise<void> {
  const reply = await socket.request({ type: 'stream_message', message_id: messageId, body });
  expect(reply, JSON.stringify(reply)).toMatchObject({ type: 'ack' });
}

/**
 * Section 14 across server processes on one PostgreSQL database and Redis: the
 * relay and the stop go through the broker, the owning process's timers end
 * what its sender does not, and a process killed mid-stream leaves its stream
 * to another process's sweep (`interrupted`, never `streaming` for ever). The
 * in-process servers share one manual clock.
 */
describe.skipIf(missing !== null)('scale-out: streaming across two servers (PostgreSQL, Redis)', () => {
  const clock = new ManualClock();
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-scale-streams-'));
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  let shared: Partial<ServerConfig>;
  let a: ChatServer;
  let b: ChatServer;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let conversationId: string;
  const open: TestSocket[] = [];
  const track = <T extends { socket: TestSocket } | TestSocket>(value: T): T => {
    open.push('socket' in value ? value.socket : value);
    return value;
  };

  beforeAll(async () => {
    schema = await createTestSchema();
    shared = {
      port: 0,
      host: '127.0.0.1',
      dataDir,
      databaseUrl: schema.databaseUrl,
      jwtSecret: TEST_JWT_SECRET,
      logLevel: 'silent',
      webDistDir: null,
      redisUrl: TEST_REDIS_URL,
      redisPrefix: uniquePrefix(),
      restRateLimitPerMin: 0,
      // Heartbeats would need pongs between the clock's jumps.
      heartbeatIntervalMs: DAY_MS,
    };
    a = await createServer(shared, { clock });
    b = await createServer(shared, { clock });
    const make = (name: string) => createUser(a, name, { expiresIn: 2 * 24 * 3600 });
    [alice, bob, carol] = await Promise.all([make('Alice'), make('Bob'), make('Carol')]);
    conversationId = (await createConversation(a, alice, [bob, carol])).id;
  });
  afterAll(async () => {
    for (const socket of open) socket.close();
    await Promise.all([a?.close(), b?.close()]);
    await schema?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('scale-out streaming: a stream on one server is relayed to members joined on the other, throttled, and its end reaches them', async () => {
    const { socket: bobOnB } = track(await joinedSocket(b, bob, conversationId));
    const agent = track(await connectAs(a, alice));
    const message = await sendMessage(agent, conversationId, '', { streaming: true });
    await stream(agent, message.id, 'Hello');
    expect(frameOf(await bobOnB.next('message_stream'), 'message_stream')).toEqual({
      type: 'message_stream',
      conversation_id: conversationId,
      message_id: message.id,
      body: 'Hello',
    });
    await stream(agent, message.id, 'Hello there');
    await stream(agent, message.id, 'Hello there, Bob');
    clock.advance(100);
    await bobOnB.waitFor((f) => f.type === 'message_stream' && f.body === 'Hello there, Bob');
    expect(bobOnB.ofType('message_stream').map((f) => f.body)).toEqual(['Hello', 'Hello there, Bob']);
    await agent.request({ type: 'end_stream', message_id: message.id, body: 'Hello there, Bob.' });
    const update = frameOf(await bobOnB.waitFor(isUpdateOf(message.id)), 'message_updated');
    expect(update).toMatchObject({
      change: 'completed',
      message: { state: 'complete', body: 'Hello there, Bob.' },
    });
  });

  it('scale-out streaming: a joiner on the other server gets the text so far right after joined', async () => {
    const { socket: bobOnB } = track(await joinedSocket(b, bob, conversationId));
    const agent = track(await connectAs(a, alice));
    const message = await sendMessage(agent, conversationId, '', { streaming: true });
    await stream(agent, message.id, 'So far');
    await bobOnB.waitFor((f) => f.type === 'message_stream' && f.message_id === message.id);
    const { socket: carolOnB } = track(await joinedSocket(b, carol, conversationId));
    const held = frameOf(await carolOnB.next('message_stream'), 'message_stream');
    expect(held).toMatchObject({ message_id: message.id, body: 'So far' });
    await agent.request({ type: 'end_stream', message_id: message.id, body: 'So far.' });
  });

  it("scale-out stop: a stop on one server reaches the sender's connections on both, and the owning server ends it stopped 5 s later", async () => {
    const { socket: bobOnB } = track(await joinedSocket(b, bob, conversationId));
    const agent = track(await connectAs(a, alice));
    const aliceOnB = track(await connectAs(b, alice));
    const message = await sendMessage(agent, conversationId, '', { streaming: true });
    await stream(agent, message.id, 'Partial answer');
    expect(await bobOnB.request({ type: 'stop_stream', message_id: message.id })).toMatchObject({
      type: 'ack',
    });
    for (const socket of [agent, aliceOnB]) {
      expect(frameOf(await socket.next('stream_stop'), 'stream_stop')).toEqual({
        type: 'stream_stop',
        conversation_id: conversationId,
        message_id: message.id,
        by: bob.id,
      });
    }
    clock.advance(5000);
    const update = frameOf(await bobOnB.waitFor(isUpdateOf(message.id)), 'message_updated');
    expect(update.message).toMatchObject({ state: 'stopped', body: 'Partial answer' });
  });

  it('scale-out stop: works after the stopper reconnected to the other server, never joined', async () => {
    const { socket: bobOnA } = track(await joinedSocket(a, bob, conversationId));
    const agent = track(await connectAs(a, alice));
    const message = await sendMessage(agent, conversationId, '', { streaming: true });
    await stream(agent, message.id, 'Going on');
    const carolOnA = track(await connectAs(a, carol));
    carolOnA.close();
    await carolOnA.closed;
    const carolOnB = track(await connectAs(b, carol));
    await carolOnB.request({ type: 'stop_stream', message_id: message.id });
    expect(frameOf(await agent.next('stream_stop'), 'stream_stop').by).toBe(carol.id);
    await agent.request({ type: 'end_stream', message_id: message.id, body: 'Going on', state: 'stopped' });
    const update = frameOf(await bobOnA.waitFor(isUpdateOf(message.id)), 'message_updated');
    expect(update.message.state).toBe('stopped');
  });

  it('scale-out interruption: a server that stops (SIGTERM) ends its streams interrupted first', async () => {
    const c = await createServer(shared, { clock });
    const { socket: bobOnA } = track(await joinedSocket(a, bob, conversationId));
    const agent = track(await connectAs(c, alice));
    const message = await sendMessage(agent, conversationId, '', { streaming: true });
    await stream(agent, message.id, 'Cut by a restart');
    await c.close();
    const update = frameOf(await bobOnA.waitFor(isUpdateOf(message.id)), 'message_updated');
    expect(update.message).toMatchObject({ state: 'interrupted', body: 'Cut by a restart' });
  });

  it('scale-out interruption: a server process killed (SIGKILL) mid-stream leaves the message to the sweep of another: interrupted, never streaming', async () => {
    const killed = await startServerProcess({
      DATABASE_URL: schema.databaseUrl,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: shared.redisPrefix ?? '',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'chat-scale-killed-')),
    });
    try {
      const { socket: bobOnA } = track(await joinedSocket(a, bob, conversationId));
      const agent = track(await TestSocket.open(killed.wsUrl));
      expect(await agent.request({ type: 'authenticate', token: alice.token })).toMatchObject({
        type: 'authenticated',
      });
      const message = await sendMessage(agent, conversationId, 'Thinking', { streaming: true });
      await stream(agent, message.id, 'Thinking hard');
      await bobOnA.waitFor((f) => f.type === 'message_stream' && f.message_id === message.id);
      await killed.kill('SIGKILL');
      // Past the staleness of its last checkpoint (at the send, on the wall clock), then a
      // sweep interval at a time until one sweep (each reads storage) has ended it.
      clock.advance(Math.max(0, Date.now() - clock.now()) + 45_000);
      await expect
        .poll(() => {
          clock.advance(10_000);
          return bobOnA.frames.some(isUpdateOf(message.id));
        })
        .toBe(true);
      const update = frameOf(await bobOnA.waitFor(isUpdateOf(message.id)), 'message_updated');
      expect(update).toMatchObject({ change: 'completed', message: { state: 'interrupted' } });
      // The body its process last checkpointed (the send's, here: it died within 5 s).
      expect(update.message.body).toBe('Thinking');
    } finally {
      await killed.kill('SIGKILL');
    }
  });
});
