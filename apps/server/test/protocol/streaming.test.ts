import type { Message } from '@chat/protocol';
import { ManualClock } from '@chat/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServerConfig } from '../../src/index';
import { api, createConversation, createUser, newClientId, type TestUser } from '../support/fixtures';
import { expectError, frameOf, joinOn, sendMessage, SocketScope } from '../support/protocol';
import type { AnyFrame, TestSocket } from '../support/test-socket';
import { startTestServer, type TestServer } from '../support/test-server';

// docs/protocol.md section 14: streaming a reply, stop, interruption. On a manual
// clock: the 100 ms relay window, the 5 s stop grace and the 30 s silence move
// only when a test moves them.

const DAY_SEC = 24 * 3600;

/** A server on its own manual clock, with Alice, Bob, Carol and Mallory (in no conversation yet). */
function useStreamingServer(overrides: Partial<ServerConfig> = {}) {
  const clock = new ManualClock();
  const cast = {} as {
    harness: TestServer;
    alice: TestUser;
    bob: TestUser;
    carol: TestUser;
    mallory: TestUser;
  };
  const sockets = new SocketScope(() => cast.harness.server);
  beforeAll(async () => {
    // Heartbeats would need pongs between the clock's jumps; these tests are about streams.
    cast.harness = await startTestServer({ heartbeatIntervalMs: DAY_SEC * 1000, ...overrides }, { clock });
    // Tokens outlive the time the clock moves (the server checks them on its clock).
    const make = (name: string) => createUser(cast.harness.server, name, { expiresIn: 2 * DAY_SEC });
    [cast.alice, cast.bob, cast.carol, cast.mallory] = await Promise.all([
      make('Alice'),
      make('Bob'),
      make('Carol'),
      make('Mallory'),
    ]);
  });
  afterEach(() => sockets.closeAll());
  afterAll(() => cast.harness.dispose());
  return { clock, cast, sockets };
}

const startStream = (socket: TestSocket, conversationId: string, body = '') =>
  sendMessage(socket, conversationId, body, { streaming: true });

async function stream(socket: TestSocket, messageId: string, body: string): Promise<void> {
  const reply = await socket.request({ type: 'stream_message', message_id: messageId, body });
  expect(reply, JSON.stringify(reply)).toEqual({ type: 'ack', ref: reply.ref });
}

const endStream = (socket: TestSocket, messageId: string, body: string, state?: 'complete' | 'stopped') =>
  socket.request({ type: 'end_stream', message_id: messageId, body, ...(state ? { state } : {}) });

const relaysOf = (socket: TestSocket, messageId: string) =>
  socket.ofType('message_stream').filter((frame) => frame.message_id === messageId);

const isUpdateOf = (messageId: string) => (frame: AnyFrame) =>
  frame.type === 'message_updated' && frame.message.id === messageId;

async function completedOf(socket: TestSocket, messageId: string) {
  return frameOf(await socket.waitFor(isUpdateOf(messageId)), 'message_updated');
}

async function lastSeq(socket: TestSocket, conversationId: string): Promise<number> {
  return (await joinOn(socket, conversationId)).last_seq;
}

describe('streaming a reply', () => {
  const { clock, cast, sockets } = useStreamingServer();
  const group = () => createConversation(cast.harness.server, cast.alice, [cast.bob, cast.carol]);

  it('send_message streaming: stored with state streaming, the body may be empty, acked and broadcast as usual', async () => {
    const conversation = await group();
    const { socket: watcher } = await sockets.join(cast.bob, conversation.id);
    const sender = await sockets.connect(cast.alice);
    const message = await startStream(sender, conversation.id);
    expect(message).toMatchObject({ body: '', state: 'streaming', sender_id: cast.alice.id });
    const broadcast = frameOf(await watcher.next('message'), 'message');
    expect(broadcast.message).toEqual(message);
  });

  it('stream_message: relayed as message_stream to the other joined connections (the sender’s other devices too), not to the streaming one nor to unjoined ones', async () => {
    const conversation = await group();
    const { socket: sender } = await sockets.join(cast.alice, conversation.id);
    const { socket: senderPhone } = await sockets.join(cast.alice, conversation.id);
    const { socket: bob } = await sockets.join(cast.bob, conversation.id);
    const carolUnjoined = await sockets.connect(cast.carol);
    const message = await startStream(sender, conversation.id);
    await stream(sender, message.id, 'Hello');
    for (const socket of [bob, senderPhone]) {
      const relay = frameOf(await socket.next('message_stream'), 'message_stream');
      expect(relay).toEqual({
        type: 'message_stream',
        conversation_id: conversation.id,
        message_id: message.id,
        body: 'Hello',
      });
    }
    await Promise.all([sender, carolUnjoined].map((socket) => socket.settle()));
    expect(sender.ofType('message_stream')).toEqual([]);
    expect(carolUnjoined.ofType('message_stream')).toEqual([]);
  });

  it('stream_message: not stored and takes no seq', async () => {
    const conversation = await group();
    const sender = await sockets.connect(cast.alice);
    const message = await startStream(sender, conversation.id, 'Hi');
    await stream(sender, message.id, 'Hi there');
    const { socket: late, joined } = await sockets.join(cast.bob, conversation.id);
    expect(joined.last_seq).toBe(message.seq);
    expect(joined.messages.find((m) => m.id === message.id)).toMatchObject({
      body: 'Hi',
      state: 'streaming',
    });
    await late.settle();
  });

  it('stream_message: at most one relay per message every 100 ms, always the latest text (a trailing relay when the window ends)', async () => {
    const conversation = await group();
    const { socket: bob } = await sockets.join(cast.bob, conversation.id);
    const sender = await sockets.connect(cast.alice);
    const message = await startStream(sender, conversation.id);
    await stream(sender, message.id, 'a');
    await stream(sender, message.id, 'ab');
    await stream(sender, message.id, 'abc');
    await bob.settle();
    expect(relaysOf(bob, message.id).map((f) => f.body)).toEqual(['a']);
    clock.advance(99);
    await bob.settle();
    expect(relaysOf(bob, message.id)).toHaveLength(1);
    clock.advance(1);
    await bob.waitFor((f) => f.type === 'message_stream' && f.body === 'abc');
    expect(relaysOf(bob, message.id).map((f) => f.body)).toEqual(['a', 'abc']);
    // A text after a quiet window is relayed at once.
    clock.advance(500);
    await stream(sender, message.id, 'abcd');
    await bob.waitFor((f) => f.type === 'message_stream' && f.body === 'abcd');
  });

  it('end_stream: stores the final text as one change (message_updated, change completed, state complete) and takes one seq', async () => {
    const conversation = await group();
    const { socket: bob } = await sockets.join(cast.bob, conversation.id);
    const sender = await sockets.connect(cast.alice);
    const message = await startStream(sender, conversation.id);
    await stream(sender, message.id, 'The answer');
    const reply = await endStream(sender, message.id, 'The answer is 42.');
    expect(reply).toEqual({ type: 'ack', ref: reply.ref });
    const update = await completedOf(bob, message.id);
    expect(update.change).toBe('completed');
    expect(update.message).toMatchObject({
      body: 'The answer is 42.',
      state: 'complete',
      seq: message.seq,
      updated_seq: message.seq + 1,
    });
    expect(await lastSeq(bob, conversation.id)).toBe(message.seq + 1);
  });

  it('end_stream: state stopped is stored as stopped', async () => {
    const conversation = await group();
    const { socket: bob } = await sockets.join(cast.bob, conversation.id);
    const sender = await sockets.connect(cast.alice);
    const message = await startStream(sender, conversation.id);
    await endStream(sender, message.id, 'Half an', 'stopped');
    expect((await completedOf(bob, message.id)).message).toMatchObject({ body: 'Half an', state: 'stopped' });
  });

  it('end_stream: a relay still waiting is dropped once the end is stored', async () => {
    const conversation = await group();
    const { socket: bob } = await sockets.join(cast.bob, conversation.id);
    const sender = await sockets.connect(cast.alice);
    const message = await startStream(sender, conversation.id);
    await stream(sender, message.id, 'one');
    await stream(sender, message.id, 'one two');
    await endStream(sender, message.id, 'one two three');
    await completedOf(bob, message.id);
    clock.advance(1000);
    await bob.settle();
    expect(relaysOf(bob, message.id).map((f) => f.body)).toEqual(['one']);
  });

  it('only the sender may stream or end: another member gets forbidden, a non-member and an unknown message not_found', async () => {
    const conversation = await group();
    const sender = await sockets.connect(cast.alice);
    const bob = await sockets.connect(cast.bob);
    const mallory = await sockets.connect(cast.mallory);
    const message = await startStream(sender, conversation.id);
    const writes = (socket: TestSocket, messageId: string) => [
      socket.request({ type: 'stream_message', message_id: messageId, body: 'x' }),
      endStream(socket, messageId, 'x'),
    ];
    for (const reply of await Promise.all(writes(bob, message.id))) expectError(reply, 'forbidden');
    for (const reply of await Promise.all(writes(mallory, message.id))) expectError(reply, 'not_found');
    for (const reply of await Promise.all(writes(sender, newClientId()))) expectError(reply, 'not_found');
    expectError(await bob.request({ type: 'stop_stream', message_id: newClientId() }), 'not_found');
    expectError(await mallory.request({ type: 'stop_stream', message_id: message.id }), 'not_found');
  });

  it('a message not streaming is conflict: a plain message, and a stream already ended', async () => {
    const conversation = await group();
    const sender = await sockets.connect(cast.alice);
    const bob = await sockets.connect(cast.bob);
    const plain = await sendMessage(sender, conversation.id, 'not a stream');
    expectError(
      await sender.request({ type: 'stream_message', message_id: plain.id, body: 'x' }),
      'conflict',
    );
    expectError(await endStream(sender, plain.id, 'x'), 'conflict');
    const message = await startStream(sender, conversation.id);
    await endStream(sender, message.id, 'done');
    expectError(
      await sender.request({ type: 'stream_message', message_id: message.id, body: 'x' }),
      'conflict',
    );
    expectError(await endStream(sender, message.id, 'again'), 'conflict');
    // A stop after the end.
    expectError(await bob.request({ type: 'stop_stream', message_id: message.id }), 'conflict');
  });

  it('a text with U+0000 (which storage cannot hold) is bad_request, relayed to no one, and the stream goes on', async () => {
    const conversation = await group();
    const { socket: bob } = await sockets.join(cast.bob, conversation.id);
    const sender = await sockets.connect(cast.alice);
    const message = await startStream(sender, conversation.id);
    const nul = 'a\u0000b';
    expectError(
      await sender.request({ type: 'stream_message', message_id: message.id, body: nul }),
      'bad_request',
    );
    expectError(await endStream(sender, message.id, nul), 'bad_request');
    await stream(sender, message.id, 'clean');
    await endStream(sender, message.id, 'clean.');
    expect((await completedOf(bob, message.id)).message.body).toBe('clean.');
    expect(relaysOf(bob, message.id).map((f) => f.body)).toEqual(['clean']);
  });

  it("the sender's other connection cannot stream into the stream: conflict", async () => {
    const conversation = await group();
    const sender = await sockets.connect(cast.alice);
    const other = await sockets.connect(cast.alice);
    const message = await startStream(sender, conversation.id);
    expectError(
      await other.request({ type: 'stream_message', message_id: message.id, body: 'x' }),
      'conflict',
    );
  });

  it('a resent streaming send_message (same client_id) on a new connection gets the same message, and the stream moves there', async () => {
    const conversation = await group();
    const { socket: bob } = await sockets.join(cast.bob, conversation.id);
    const old = await sockets.connect(cast.alice);
    const clientId = newClientId();
    const send = (socket: TestSocket) =>
      socket.request({
        type: 'send_message',
        conversation_id: conversation.id,
        client_id: clientId,
        body: '',
        streaming: true,
      });
    const first = frameOf(await send(old), 'message_ack').message;
    const fresh = await sockets.connect(cast.alice);
    const again = frameOf(await send(fresh), 'message_ack').message;
    expect(again).toEqual(first);
    expectError(await old.request({ type: 'stream_message', message_id: first.id, body: 'x' }), 'conflict');
    old.close();
    await old.closed;
    await stream(fresh, first.id, 'Resumed');
    await bob.waitFor((f) => f.type === 'message_stream' && f.body === 'Resumed');
    await endStream(fresh, first.id, 'Resumed.');
    expect((await completedOf(bob, first.id)).message.state).toBe('complete');
  });

  it('a joiner sees the stored state (streaming) and, right after joined, the text relayed so far', async () => {
    const conversation = await group();
    const sender = await sockets.connect(cast.alice);
    const message = await startStream(sender, conversation.id);
    const { socket: bob } = await sockets.join(cast.bob, conversation.id);
    await stream(sender, message.id, 'So far, so');
    await bob.next('message_stream');
    const carol = await sockets.connect(cast.carol);
    const joined = await joinOn(carol, conversation.id);
    expect(joined.messages.find((m) => m.id === message.id)?.state).toBe('streaming');
    const held = frameOf(await carol.next('message_stream'), 'message_stream');
    expect(held).toMatchObject({ message_id: message.id, body: 'So far, so' });
    expect(carol.frames.indexOf(held)).toBe(carol.frames.indexOf(joined) + 1);
    // ...and the next relay after it.
    clock.advance(100);
    await stream(sender, message.id, 'So far, so good');
    await carol.waitFor((f) => f.type === 'message_stream' && f.body === 'So far, so good');
  });

  it('a joiner is not handed the text of a stream that ended', async () => {
    const conversation = await group();
    const sender = await sockets.connect(cast.alice);
    const { socket: bob } = await sockets.join(cast.bob, conversation.id);
    const message = await startStream(sender, conversation.id);
    await stream(sender, message.id, 'text');
    await endStream(sender, message.id, 'text.');
    await completedOf(bob, message.id);
    const carol = await sockets.connect(cast.carol);
    await joinOn(carol, conversation.id);
    await carol.settle();
    expect(carol.ofType('message_stream')).toEqual([]);
  });

  it('stream_message: its own limit (20 a second per connection): past it rate_limited with retry_after_ms, the stream goes on and the connection stays', async () => {
    const conversation = await group();
    const { socket: bob } = await sockets.join(cast.bob, conversation.id);
    const sender = await sockets.connect(cast.alice);
    const message = await startStream(sender, conversation.id);
    const replies = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        sender.request({ type: 'stream_message', message_id: message.id, body: `t${i}` }),
      ),
    );
    expect(replies.filter((r) => r.type === 'ack')).toHaveLength(20);
    for (const refused of replies.filter((r) => r.type !== 'ack')) {
      expect(expectError(refused, 'rate_limited').retry_after_ms).toBeGreaterThan(0);
    }
    clock.advance(1000);
    await stream(sender, message.id, 'still going');
    await bob.waitFor((f) => f.type === 'message_stream' && f.body === 'still going');
    await endStream(sender, message.id, 'still going.');
    expect((await completedOf(bob, message.id)).message.state).toBe('complete');
    expect(sender.closeCode).toBeNull();
  });

  it('stream_message refusals do not count towards the 4029 flood close: more of them than FLOOD_CLOSE_THRESHOLD leave the connection and the stream alone', async () => {
    const conversation = await group();
    const { socket: bob } = await sockets.join(cast.bob, conversation.id);
    const sender = await sockets.connect(cast.alice);
    const message = await startStream(sender, conversation.id);
    const count = cast.harness.server.config.floodCloseThreshold + 50;
    const replies = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        sender.request({ type: 'stream_message', message_id: message.id, body: `word ${i}` }),
      ),
    );
    expect(replies.filter((r) => r.type === 'error')).toHaveLength(count - 20);
    clock.advance(1000);
    await stream(sender, message.id, 'and on');
    await endStream(sender, message.id, 'and on.');
    expect((await completedOf(bob, message.id)).message.state).toBe('complete');
    expect(sender.closeCode).toBeNull();
  });

  it('send_message streaming takes one seq and the end one more: nothing else is stored', async () => {
    const conversation = await group();
    const sender = await sockets.connect(cast.alice);
    const { socket: bob } = await sockets.join(cast.bob, conversation.id);
    const before = await lastSeq(sender, conversation.id);
    const message = await startStream(sender, conversation.id);
    for (let i = 1; i <= 5; i++) {
      await stream(sender, message.id, 'word '.repeat(i));
      clock.advance(100);
    }
    await endStream(sender, message.id, 'word '.repeat(6));
    await completedOf(bob, message.id);
    expect(await lastSeq(sender, conversation.id)).toBe(before + 2);
  });
});

describe('stop', () => {
  const { clock, cast, sockets } = useStreamingServer();
  const group = () => createConversation(cast.harness.server, cast.alice, [cast.bob, cast.carol]);
  const stop = (socket: TestSocket, messageId: string) =>
    socket.request({ type: 'stop_stream', message_id: messageId });
  const stopsOf = (socket: TestSocket, messageId: string) =>
    socket.ofType('stream_stop').filter((frame) => frame.message_id === messageId);

  /** Alice streams from `sender`; her other device is connected but joins nothing. */
  async function aliceStreaming() {
    const conversation = await group();
    const sender = await sockets.connect(cast.alice);
    const aliceLaptop = await sockets.connect(cast.alice);
    const { socket: bob } = await sockets.join(cast.bob, conversation.id);
    const message = await startStream(sender, conversation.id);
    await stream(sender, message.id, 'The first words');
    return { conversation, sender, aliceLaptop, bob, message };
  }

  it('stop_stream: any member may; every connection of the sender gets stream_stop {conversation_id, message_id, by}, nobody else', async () => {
    const { conversation, sender, aliceLaptop, bob, message } = await aliceStreaming();
    const reply = await stop(bob, message.id);
    expect(reply).toEqual({ type: 'ack', ref: reply.ref });
    for (const socket of [sender, aliceLaptop]) {
      const frame = frameOf(await socket.next('stream_stop'), 'stream_stop');
      expect(frame).toEqual({
        type: 'stream_stop',
        conversation_id: conversation.id,
        message_id: message.id,
        by: cast.bob.id,
      });
    }
    await bob.settle();
    expect(bob.ofType('stream_stop')).toEqual([]);
  });

  it('stop: a sender that has not ended the stream 5 s later has it ended by the server with the last text, state stopped (a completed change)', async () => {
    const { sender, bob, message } = await aliceStreaming();
    await stop(bob, message.id);
    await sender.next('stream_stop');
    clock.advance(4999);
    await bob.settle();
    expect(bob.frames.some(isUpdateOf(message.id))).toBe(false);
    clock.advance(1);
    const update = await completedOf(bob, message.id);
    expect(update.change).toBe('completed');
    expect(update.message).toMatchObject({ body: 'The first words', state: 'stopped' });
    expectError(await endStream(sender, message.id, 'too late'), 'conflict');
  });

  it('stop: a sender that ends within the 5 s keeps its own end; the server ends nothing', async () => {
    const { sender, bob, message } = await aliceStreaming();
    await stop(bob, message.id);
    await sender.next('stream_stop');
    clock.advance(2000);
    await endStream(sender, message.id, 'The first words, then', 'stopped');
    expect((await completedOf(bob, message.id)).message.body).toBe('The first words, then');
    clock.advance(10_000);
    await bob.settle();
    expect(bob.frames.filter(isUpdateOf(message.id))).toHaveLength(1);
  });

  it("stop: works from another device of the sender's own user", async () => {
    const { sender, aliceLaptop, bob, message } = await aliceStreaming();
    await stop(aliceLaptop, message.id);
    expect(frameOf(await sender.next('stream_stop'), 'stream_stop').by).toBe(cast.alice.id);
    clock.advance(5000);
    expect((await completedOf(bob, message.id)).message.state).toBe('stopped');
  });

  it('stop: works after the stopper reconnected (a new connection that never joined)', async () => {
    const { sender, bob, message } = await aliceStreaming();
    const carolBefore = await sockets.connect(cast.carol);
    await joinOn(carolBefore, message.conversation_id);
    carolBefore.close();
    await carolBefore.closed;
    const carolAgain = await sockets.connect(cast.carol);
    await stop(carolAgain, message.id);
    expect(frameOf(await sender.next('stream_stop'), 'stream_stop').by).toBe(cast.carol.id);
    clock.advance(5000);
    expect((await completedOf(bob, message.id)).message.state).toBe('stopped');
  });

  it('stop: asked twice, the stream is still ended once', async () => {
    const { sender, bob, message } = await aliceStreaming();
    await stop(bob, message.id);
    clock.advance(3000);
    await stop(bob, message.id);
    await sender.settle();
    expect(stopsOf(sender, message.id)).toHaveLength(2);
    clock.advance(2000);
    await completedOf(bob, message.id);
    clock.advance(5000);
    await bob.settle();
    expect(bob.frames.filter(isUpdateOf(message.id))).toHaveLength(1);
  });
});

describe('interruption', () => {
  const { clock, cast, sockets } = useStreamingServer();
  const pair = () => createConversation(cast.harness.server, cast.alice, [cast.bob]);

  it('the owning connection closes: the server ends the stream with the last text, state interrupted', async () => {
    const conversation = await pair();
    const { socket: bob } = await sockets.join(cast.bob, conversation.id);
    const sender = await sockets.connect(cast.alice);
    const message = await startStream(sender, conversation.id);
    await stream(sender, message.id, 'cut');
    await stream(sender, message.id, 'cut off');
    sender.close();
    const update = await completedOf(bob, message.id);
    expect(update.change).toBe('completed');
    expect(update.message).toMatchObject({ body: 'cut off', state: 'interrupted' });
  });

  it('the owning connection killed (no close frame, as when the agent process dies): interrupted with the last text', async () => {
    const conversation = await pair();
    const { socket: bob } = await sockets.join(cast.bob, conversation.id);
    const sender = await sockets.connect(cast.alice);
    const message = await startStream(sender, conversation.id, 'Thinking');
    await stream(sender, message.id, 'Thinking about it');
    sender.ws.terminate();
    expect((await completedOf(bob, message.id)).message).toMatchObject({
      body: 'Thinking about it',
      state: 'interrupted',
    });
  });

  it('30 s without stream_message: the server ends it interrupted; a stream_message before that keeps it', async () => {
    const conversation = await pair();
    const { socket: bob } = await sockets.join(cast.bob, conversation.id);
    const sender = await sockets.connect(cast.alice);
    const message = await startStream(sender, conversation.id);
    clock.advance(29_000);
    await stream(sender, message.id, 'slowly');
    clock.advance(29_999);
    await bob.settle();
    expect(bob.frames.some(isUpdateOf(message.id))).toBe(false);
    clock.advance(1);
    expect((await completedOf(bob, message.id)).message).toMatchObject({
      body: 'slowly',
      state: 'interrupted',
    });
    expectError(
      await sender.request({ type: 'stream_message', message_id: message.id, body: 'x' }),
      'conflict',
    );
  });

  it('a sender who left the group meanwhile: the server still ends the stream (interrupted), never leaving it streaming', async () => {
    const conversation = await createConversation(cast.harness.server, cast.alice, [cast.bob, cast.carol]);
    const { socket: bob } = await sockets.join(cast.bob, conversation.id);
    const sender = await sockets.connect(cast.carol);
    const message = await startStream(sender, conversation.id);
    await stream(sender, message.id, 'Before I go');
    const left = await api(
      cast.harness.server,
      cast.carol.token,
      'DELETE',
      `/api/conversations/${conversation.id}/members/${cast.carol.id}`,
    );
    expect(left.status).toBeLessThan(300);
    expectError(await endStream(sender, message.id, 'x'), 'not_found');
    clock.advance(30_000);
    expect((await completedOf(bob, message.id)).message).toMatchObject({
      body: 'Before I go',
      state: 'interrupted',
    });
  });

  it('a stream no process owns (its process was killed) is swept: interrupted with its last checkpoint, 45 s after it', async () => {
    const conversation = await pair();
    const { socket: bob } = await sockets.join(cast.bob, conversation.id);
    const { storage } = cast.harness.server;
    // What a killed process leaves behind: the streaming message and its checkpoint, and no owner.
    const [sent] = await storage.appendMessages([
      {
        conversation_id: conversation.id,
        sender_id: cast.alice.id,
        client_id: newClientId(),
        body: '',
        reply_to: null,
        mentions: [],
        streaming: true,
      },
    ]);
    if (sent?.status !== 'created') throw new Error(JSON.stringify(sent));
    const checkpointAt = clock.now();
    await storage.checkpointStream({
      message_id: sent.message.id,
      body: 'Last saved',
      now: new Date(checkpointAt),
    });
    clock.advance(44_000);
    await bob.settle();
    expect(bob.frames.some(isUpdateOf(sent.message.id))).toBe(false);
    // Then one sweep interval at a time (each sweep reads storage) until one ends it.
    await expect
      .poll(() => {
        clock.advance(10_000);
        return bob.frames.some(isUpdateOf(sent.message.id));
      })
      .toBe(true);
    const update = await completedOf(bob, sent.message.id);
    expect(update).toMatchObject({
      change: 'completed',
      message: { state: 'interrupted', body: 'Last saved' },
    });
  });

  it('another connection of the sender closing does not interrupt the stream', async () => {
    const conversation = await pair();
    const { socket: bob } = await sockets.join(cast.bob, conversation.id);
    const sender = await sockets.connect(cast.alice);
    const other = await sockets.connect(cast.alice);
    const message = await startStream(sender, conversation.id);
    other.close();
    await other.closed;
    await stream(sender, message.id, 'still here');
    await endStream(sender, message.id, 'still here.');
    expect((await completedOf(bob, message.id)).message.state).toBe('complete');
  });
});

describe('acceptance: 2,000 tokens at 50 tokens a second', () => {
  // The sender streams every token (50 stream_message a second), so the per-connection limit is raised.
  const { clock, cast, sockets } = useStreamingServer({ streamMessagesPerSec: 50 });

  it('joined members get at most 10 relays a second, a joiner mid-stream gets the text so far at once, and the store takes 2 seqs', async () => {
    const conversation = await createConversation(cast.harness.server, cast.alice, [cast.bob, cast.carol]);
    const { socket: bob, joined } = await sockets.join(cast.bob, conversation.id);
    const agent = await sockets.connect(cast.alice);
    const message: Message = await startStream(agent, conversation.id);
    const TOKENS = 2000;
    const tokenMs = 1000 / 50;
    let body = '';
    let carolRelays: { atToken: number; frames: AnyFrame[] } | null = null;
    for (let token = 1; token <= TOKENS; token++) {
      body += `t${token} `;
      await stream(agent, message.id, body);
      if (token === TOKENS / 2) {
        const carol = await sockets.connect(cast.carol);
        await joinOn(carol, conversation.id);
        carolRelays = { atToken: token, frames: carol.frames };
        const held = frameOf(await carol.next('message_stream'), 'message_stream');
        // The text so far, at most one relay window (5 tokens) behind.
        expect(body.startsWith(held.body)).toBe(true);
        expect(tokensIn(held.body)).toBeGreaterThanOrEqual(token - 5);
      }
      clock.advance(tokenMs);
    }
    await bob.waitFor((f) => f.type === 'message_stream' && f.body === body);
    await endStream(agent, message.id, body);
    const update = await completedOf(bob, message.id);
    expect(update.message).toMatchObject({ body, state: 'complete', updated_seq: message.seq + 1 });

    const relays = relaysOf(bob, message.id);
    // Each relay carries the text at its moment: its token count tells when it was sent
    // (token k goes out at (k - 1) * 20 ms). Any 11 relays in a row span a second or more
    // (49 tokens and a relay window's rounding): never more than 10 relays in a second.
    const counts = relays.map((relay) => tokensIn(relay.body));
    for (let i = 0; i + 10 < counts.length; i++) {
      expect(counts[i + 10]! - counts[i]!, `relays ${i}..${i + 10}`).toBeGreaterThanOrEqual(49);
    }
    expect(relays.length).toBeLessThanOrEqual((TOKENS / 50) * 10 + 1);
    // Relays did flow all along (about 10 a second), in order, ending with the whole text.
    expect(relays.length).toBeGreaterThanOrEqual((TOKENS / 50) * 10 - 2);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(relays.at(-1)?.body).toBe(body);
    // The store: the send and the completed change, nothing else.
    expect(await lastSeq(agent, conversation.id)).toBe(joined.last_seq + 2);
    const changes = bob.frames.filter((f) => f.type === 'message' || f.type === 'message_updated');
    expect(changes.map((f) => f.type)).toEqual(['message', 'message_updated']);
    expect(carolRelays?.frames.filter((f) => f.type === 'message_stream').length).toBeGreaterThan(190);
  }, 120_000);
});

function tokensIn(body: string): number {
  return body.split(' ').length - 1;
}
