import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, parseServerFrame } from '@chat/protocol';
import { signTestToken } from '@chat/testkit';
import {
  connectAs,
  createConversation,
  createUser,
  joinedSocket,
  newClientId,
  type TestUser,
} from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/test-server';
import type { TestSocket } from '../support/test-socket';
import { type AnyFrame } from '../support/test-socket';
import {
  CLIENT_FRAME_TYPES,
  OVERSIZE_TEXT,
  frameObjectArb,
  junk,
  wellFormedFrameArb,
} from './frame-arbitraries';
import { fuzzSettings } from './fuzz-settings';

/** The reply each frame type may get to a `ref` besides `error` (docs/protocol.md). */
const REPLIES: Record<string, string[]> = {
  authenticate: ['authenticated'],
  join_conversation: ['joined'],
  leave_conversation: ['left'],
  send_message: ['message_ack'],
  typing: ['ack'],
  mark_read: ['ack'],
  edit_message: ['ack'],
  delete_message: ['ack'],
  react: ['ack'],
  ping: ['pong'],
};

type Item =
  | { kind: 'frame'; frame: Record<string, unknown>; withRef: boolean }
  | { kind: 'text'; text: string }
  | { kind: 'binary'; bytes: Uint8Array }
  | { kind: 'oversize' };

async function messageIdsOf(socket: TestSocket, conversationId: string): Promise<string[]> {
  return socket
    .ofType('message_ack')
    .filter((ack) => ack.message.conversation_id === conversationId)
    .map((ack) => ack.message.id);
}

describe('fuzz: every frame handler through a real server', () => {
  let harness: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let shared: string;
  let others: string;
  const known: string[] = [];

  beforeAll(async () => {
    // Limits out of the way: the fuzzer is about what the handlers do with what they are given.
    harness = await startTestServer({
      rateLimitMessagesPerSec: 10_000,
      rateLimitBurst: 10_000,
      floodCloseThreshold: 10_000,
      rateLimitChangesPerSec: 10_000,
      rateLimitChangesBurst: 10_000,
    });
    alice = await createUser(harness.server, 'Alice');
    bob = await createUser(harness.server, 'Bob');
    carol = await createUser(harness.server, 'Carol');
    shared = (await createConversation(harness.server, alice, [bob, carol], 'Fuzz')).id;
    others = (await createConversation(harness.server, bob, [carol])).id;
    const seed = async (user: TestUser, conversationId: string) => {
      const socket = await connectAs(harness.server, user);
      const ack = await socket.request({
        type: 'send_message',
        conversation_id: conversationId,
        client_id: newClientId(),
        body: `seed from ${user.display_name}`,
      });
      socket.close();
      return String((ack.message as { id: string }).id);
    };
    known.push(
      shared,
      others,
      alice.id,
      await seed(alice, shared),
      await seed(alice, shared),
      await seed(bob, shared),
      await seed(carol, others),
    );
  });
  afterAll(() => harness.dispose());

  it('answers every frame with its contract reply or an error, never internal, closes only by the documented codes, and a bystander gets every message', async () => {
    const expired = await signTestToken({
      sub: alice.id,
      email: alice.email,
      exp: Math.floor(Date.now() / 1000) - 60,
    });
    const tokens = fc.oneof(
      { weight: 6, arbitrary: fc.constant(alice.token) },
      { weight: 1, arbitrary: fc.constant(bob.token) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(expired, `${alice.token}x`, alice.token.split('.').slice(0, 2).join('.')),
      },
      { weight: 1, arbitrary: junk },
    );
    const pool = { known };
    const items: fc.Arbitrary<Item> = fc.oneof(
      {
        weight: 40,
        arbitrary: fc
          .tuple(frameObjectArb(pool, tokens), fc.boolean(), fc.boolean())
          .map(([frame, a, b]) => ({ kind: 'frame' as const, frame, withRef: a || b })),
      },
      {
        weight: 30,
        arbitrary: wellFormedFrameArb({
          conversationId: shared,
          messageIds: known.slice(3),
          memberIds: [alice.id, bob.id, carol.id],
        }).map((frame) => ({ kind: 'frame' as const, frame, withRef: true })),
      },
      { weight: 2, arbitrary: fc.string({ maxLength: 30 }).map((text) => ({ kind: 'text' as const, text })) },
      {
        weight: 1,
        arbitrary: fc.uint8Array({ maxLength: 30 }).map((bytes) => ({ kind: 'binary' as const, bytes })),
      },
      { weight: 1, arbitrary: fc.constant({ kind: 'oversize' as const }) },
    );

    // The bystander: Bob on another socket, joined to the conversation the fuzzer writes to.
    const { socket: bystander } = await joinedSocket(harness.server, bob, shared);
    const { socket: sender } = await joinedSocket(harness.server, carol, shared);
    let fuzzer = await connectAs(harness.server, alice);
    const fuzzers: TestSocket[] = [fuzzer];
    let refCounter = 0;
    let frames = 0;
    const closes: Record<string, number> = {};
    const sentToBystander: string[] = [];
    const replyTally: Record<string, number> = {};

    await fc.assert(
      fc.asyncProperty(fc.array(items, { minLength: 1, maxLength: 12 }), async (batch) => {
        // Carol keeps talking to Bob throughout.
        const carolSays = sender.request({
          type: 'send_message',
          conversation_id: shared,
          client_id: newClientId(),
          body: `still here ${refCounter}`,
        });

        const start = fuzzer.frames.length;
        const expected: Array<{ ref: string; type: unknown }> = [];
        const mayClose = new Set<number>([4029]);
        for (const item of batch) {
          frames++;
          if (item.kind === 'frame') {
            const frame = { ...item.frame };
            if (item.withRef && !('ref' in frame)) {
              frame.ref = `f${++refCounter}`;
              expected.push({ ref: frame.ref as string, type: frame.type });
            }
            if (frame.type === 'authenticate') mayClose.add(4001);
            fuzzer.send(frame);
          } else if (item.kind === 'text') {
            fuzzer.sendRaw(item.text);
          } else if (item.kind === 'binary') {
            fuzzer.sendRaw(Buffer.from(item.bytes), { binary: true });
          } else {
            mayClose.add(1009);
            fuzzer.sendRaw(OVERSIZE_TEXT);
          }
        }
        // The frames of a connection are handled in order: once the ping is answered, so is everything before it.
        const pong = fuzzer.request({ type: 'ping' });
        pong.catch(() => {});
        const outcome = await Promise.race([
          pong.then(() => 'answered' as const),
          fuzzer.closed.then(() => 'closed' as const),
        ]);

        if (outcome === 'answered') {
          // send_message is acked after its group commit, which the connection does not wait for.
          for (const { ref } of expected.filter(({ type }) => type === 'send_message')) {
            await fuzzer.waitFor((frame) => 'ref' in frame && frame.ref === ref, 10_000, `reply to ${ref}`);
          }
        }
        const received = fuzzer.frames.slice(start);
        for (const frame of received) {
          const key = frame.type === 'error' ? `error:${String(frame.code)}` : frame.type;
          replyTally[key] = (replyTally[key] ?? 0) + 1;
        }
        for (const frame of received) {
          expect(parseServerFrame(JSON.stringify(frame)).ok, JSON.stringify(frame)).toBe(true);
          if (frame.type === 'error') {
            expect(ERROR_CODES).toContain(frame.code);
            expect(frame.code, JSON.stringify(frame)).not.toBe('internal');
          }
        }
        for (const { ref, type } of expected) {
          const replies = received.filter((frame) => 'ref' in frame && frame.ref === ref);
          if (outcome === 'answered')
            expect(
              replies,
              `replies to ${typeof type === 'string' ? type : JSON.stringify(type)} ${ref}`,
            ).toHaveLength(1);
          else expect(replies.length).toBeLessThanOrEqual(1);
          const reply = replies[0];
          if (reply === undefined) continue;
          if (typeof type !== 'string' || !CLIENT_FRAME_TYPES.includes(type)) {
            expect(reply.type, JSON.stringify(reply)).toBe('error');
          } else if (REPLIES[type]) {
            // A frame type added after this table is held to the server-frame schema above.
            expect([...REPLIES[type], 'error'], JSON.stringify(reply)).toContain(reply.type);
          }
        }
        sentToBystander.push(
          ...(await messageIdsOf(fuzzer, shared)).filter((id) => !sentToBystander.includes(id)),
        );

        if (outcome === 'closed') {
          const { code } = await fuzzer.closed;
          closes[code] = (closes[code] ?? 0) + 1;
          expect([...mayClose], `close ${code}`).toContain(code);
          fuzzer = await connectAs(harness.server, alice);
          fuzzers.push(fuzzer);
        }
        const ack = await carolSays;
        expect(ack.type).toBe('message_ack');
        sentToBystander.push(String((ack.message as { id: string }).id));
      }),
      fuzzSettings('frame handlers over real sockets', 200),
    );

    // Every message sent to the bystander's conversation during the run reached it, on the socket it had from the start.
    for (const id of sentToBystander) {
      await bystander.waitFor(
        (frame: AnyFrame) => frame.type === 'message' && frame.message.id === id,
        10_000,
        `message ${id}`,
      );
    }
    expect(bystander.closeCode).toBeNull();
    const health = await fetch(`${harness.server.url}/healthz`);
    expect(health.status).toBe(200);
    const internal = (await harness.server.metrics.errors.get()).values.find(
      (value) => value.labels.code === 'internal',
    );
    expect(internal?.value ?? 0).toBe(0);
    console.log(
      `[fuzz] frame handlers: ${frames} frames, ${sentToBystander.length} messages to the bystander, closes ${JSON.stringify(closes)}, replies ${JSON.stringify(replyTally)}`,
    );
    for (const socket of [...fuzzers, bystander, sender]) socket.close();
  });
});
