import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  connectAs,
  createConversation,
  createUser,
  joinedSocket,
  newClientId,
  type TestUser,
} from '../support/fixtures';
import { createServer, type ChatServer } from '../../src/index';
import { TEST_REDIS_URL, redisUnavailableReason, uniquePrefix } from '../support/redis';
import { TEST_JWT_SECRET, startTestServer, type TestServer } from '../support/test-server';
import type { AnyFrame, TestSocket } from '../support/test-socket';

const BURST = 50;
const redisMissing = await redisUnavailableReason();
if (redisMissing) console.warn(`REST limits on Redis skipped: ${redisMissing}`);

/** Sends every frame at once and waits for the reply to each (frames of a connection are handled in order). */
async function burst(
  socket: TestSocket,
  frames: Array<Record<string, unknown>>,
  tag: string,
): Promise<AnyFrame[]> {
  frames.forEach((frame, index) => socket.send({ ...frame, ref: `${tag}${index}` }));
  const replies: AnyFrame[] = [];
  for (let index = 0; index < frames.length; index++) {
    replies.push(await socket.waitFor((frame) => 'ref' in frame && frame.ref === `${tag}${index}`));
  }
  return replies;
}

const refused = (replies: AnyFrame[]) =>
  replies.filter((reply) => reply.type === 'error' && reply.code === 'rate_limited');

describe('SECURITY: rate limits per user on every frame type that writes or fans out', () => {
  // Time stands still: the buckets refill only when the test moves the clock.
  const clock = new ManualClock();
  let harness: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let conversationId: string;
  let messageId: string;

  beforeAll(async () => {
    harness = await startTestServer(
      { rateLimitChangesPerSec: 10, rateLimitChangesBurst: BURST, floodCloseThreshold: 100_000 },
      { clock },
    );
    alice = await createUser(harness.server, 'Alice');
    bob = await createUser(harness.server, 'Bob');
    conversationId = (await createConversation(harness.server, alice, [bob])).id;
    const { socket } = await joinedSocket(harness.server, bob, conversationId);
    const ack = await socket.request({
      type: 'send_message',
      conversation_id: conversationId,
      client_id: newClientId(),
      body: 'react to me',
    });
    messageId = String((ack.message as { id: string }).id);
    socket.close();
  });
  afterAll(() => harness.dispose());

  it('300 reactions at once: the burst goes through, the rest is refused rate_limited with retry_after_ms, nothing of it stored or sent', async () => {
    const { socket: bystander } = await joinedSocket(harness.server, bob, conversationId);
    const socket = await connectAs(harness.server, alice);
    const reactions = ['love', 'like', 'laugh'];
    const replies = await burst(
      socket,
      Array.from({ length: 300 }, (_, index) => ({
        type: 'react',
        message_id: messageId,
        reaction: reactions[index % 3],
      })),
      'react',
    );
    const refusals = refused(replies);
    expect(replies.filter((reply) => reply.type === 'ack')).toHaveLength(BURST);
    expect(refusals).toHaveLength(300 - BURST);
    for (const refusal of refusals) expect(refusal.retry_after_ms).toBeGreaterThan(0);
    // The bystander saw one change per accepted reaction, none for the refused ones.
    await bystander.settle();
    const updates = bystander.ofType('message_updated').length;
    expect(updates).toBeLessThanOrEqual(BURST);
    // Time refills the bucket: 1 s at 10/s is 10 more.
    clock.advance(1000);
    const later = await burst(
      socket,
      Array.from({ length: 12 }, () => ({ type: 'react', message_id: messageId, reaction: 'like' })),
      'later',
    );
    expect(later.filter((reply) => reply.type === 'ack')).toHaveLength(10);
    expect(refused(later)).toHaveLength(2);
    socket.close();
    bystander.close();
  });

  it("the bucket is the user's, not the connection's: two sockets share it", async () => {
    clock.advance(60_000);
    const first = await connectAs(harness.server, alice);
    const second = await connectAs(harness.server, alice);
    const frames = Array.from({ length: 40 }, () => ({
      type: 'typing',
      conversation_id: conversationId,
      is_typing: true,
    }));
    const [a, b] = await Promise.all([burst(first, frames, 'a'), burst(second, frames, 'b')]);
    expect([...a, ...b].filter((reply) => reply.type === 'ack')).toHaveLength(BURST);
    expect(refused([...a, ...b])).toHaveLength(80 - BURST);
    // Another user's bucket is untouched.
    const bobs = await connectAs(harness.server, bob);
    expect(
      (await bobs.request({ type: 'typing', conversation_id: conversationId, is_typing: false })).type,
    ).toBe('ack');
    for (const socket of [first, second, bobs]) socket.close();
  });

  it('edit_message, delete_message, mark_read and typing each have a bucket: past the burst each is refused', async () => {
    clock.advance(60_000);
    const socket = await connectAs(harness.server, alice);
    const mine = await socket.request({
      type: 'send_message',
      conversation_id: conversationId,
      client_id: newClientId(),
      body: 'mine',
    });
    const mineId = String((mine.message as { id: string }).id);
    const kinds: Record<string, Record<string, unknown>> = {
      edit_message: { type: 'edit_message', message_id: mineId, body: 'edited' },
      mark_read: { type: 'mark_read', conversation_id: conversationId, seq: 1 },
      typing: { type: 'typing', conversation_id: conversationId, is_typing: true },
      delete_message: { type: 'delete_message', message_id: mineId },
    };
    for (const [type, frame] of Object.entries(kinds)) {
      const replies = await burst(
        socket,
        Array.from({ length: BURST + 10 }, () => frame),
        type,
      );
      // The first BURST are judged by the usual rules (an edit past the fifth is a conflict); the rest never reach them.
      expect(refused(replies).length, type).toBe(10);
      expect(
        replies.slice(BURST).every((reply) => reply.code === 'rate_limited'),
        type,
      ).toBe(true);
    }
    socket.close();
  });
});

describe('SECURITY: REST rate limits per user (@fastify/rate-limit)', () => {
  let harness: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let mallory: TestUser;

  beforeAll(async () => {
    harness = await startTestServer({
      restRateLimitPerMin: 30,
      directoryRateLimitPerMin: 5,
      groupRateLimitPerMin: 3,
    });
    alice = await createUser(harness.server, 'Alice');
    bob = await createUser(harness.server, 'Bob');
    carol = await createUser(harness.server, 'Carol');
    mallory = await createUser(harness.server, 'Mallory');
  });
  afterAll(() => harness.dispose());

  it('conversation creation and group adds: past the limit 429 rate_limited with Retry-After, and no conversation is made', async () => {
    const statuses: number[] = [];
    for (let index = 0; index < 2; index++) {
      const response = await api(harness.server, mallory.token, 'POST', '/api/conversations', {
        member_ids: [alice.id, bob.id],
        title: `spam ${index}`,
      });
      statuses.push(response.status);
    }
    const group = (await (
      await api(harness.server, alice.token, 'POST', '/api/conversations', {
        member_ids: [bob.id, mallory.id],
      })
    ).json()) as { conversation: { id: string } };
    // An add counts with the creations.
    const add = await api(
      harness.server,
      mallory.token,
      'POST',
      `/api/conversations/${group.conversation.id}/members`,
      {
        user_ids: [carol.id],
      },
    );
    // Whether Mallory may add or not, the attempt counts.
    expect(add.status).not.toBe(429);
    const refusedCreate = await api(harness.server, mallory.token, 'POST', '/api/conversations', {
      member_ids: [alice.id, carol.id],
      title: 'one too many',
    });
    expect(statuses.every((status) => status < 400)).toBe(true);
    expect(refusedCreate.status).toBe(429);
    expect(refusedCreate.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await refusedCreate.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    const carols = (await (await api(harness.server, carol.token, 'GET', '/api/conversations')).json()) as {
      conversations: Array<{ title: string | null }>;
    };
    expect(carols.conversations.map((conversation) => conversation.title)).not.toContain('one too many');
    // Alice has her own allowance.
    const alices = await api(harness.server, alice.token, 'POST', '/api/conversations', {
      member_ids: [carol.id],
    });
    expect(alices.status).toBeLessThan(400);
  });

  it('GET /api/users: past the limit 429, so nobody walks the directory', async () => {
    const statuses: number[] = [];
    for (const query of ['a', 'b', 'c', 'd', 'e', 'f']) {
      statuses.push((await api(harness.server, bob.token, 'GET', `/api/users?query=${query}`)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect((await api(harness.server, carol.token, 'GET', '/api/users?query=a')).status).toBe(200);
  });

  it('every other route: past the limit 429', async () => {
    let status = 200;
    let count = 0;
    while (status === 200 && count < 100) {
      status = (await api(harness.server, carol.token, 'GET', '/api/conversations')).status;
      count++;
    }
    expect(status).toBe(429);
    expect(count).toBeLessThanOrEqual(31);
  });
});

describe.skipIf(redisMissing !== null)('SECURITY: REST rate limits shared by two processes on Redis', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-rate-'));
  let a: ChatServer;
  let b: ChatServer;
  let alice: TestUser;

  beforeAll(async () => {
    const shared = {
      port: 0,
      host: '127.0.0.1',
      dataDir,
      jwtSecret: TEST_JWT_SECRET,
      logLevel: 'silent' as const,
      webDistDir: null,
      sqliteSynchronous: 'NORMAL' as const,
      redisUrl: TEST_REDIS_URL,
      redisPrefix: uniquePrefix(),
      directoryRateLimitPerMin: 3,
    };
    a = await createServer(shared);
    b = await createServer(shared);
    alice = await createUser(a, 'Alice');
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('requests to either process count against one allowance', async () => {
    const statuses: number[] = [];
    for (const server of [a, b, a, b]) {
      statuses.push((await api(server, alice.token, 'GET', '/api/users?query=x')).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});
