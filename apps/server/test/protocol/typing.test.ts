import { describe, expect, it } from 'vitest';
import { createConversation, createUser, newClientId } from '../support/fixtures';
import { expectError, frameOf, sendMessage, SocketScope } from '../support/protocol';
import { useProtocolServer } from '../support/protocol-server';
import type { TestSocket } from '../support/test-socket';
import { startTestServer } from '../support/test-server';

// docs/protocol.md sections 3-5: typing.

// Typing never expires by itself here, so a test waiting for is_typing:false sees the
// rule under test fire, not the expiry (the timeout test has its own server).
const cast = useProtocolServer({ typingTimeoutMs: 120_000 });
const { sockets } = cast;

const group = () => createConversation(cast.server, cast.alice, [cast.bob, cast.carol]);

const typing = (socket: TestSocket, conversationId: string, isTyping: boolean) =>
  socket.request({ type: 'typing', conversation_id: conversationId, is_typing: isTyping });

const typingFrames = (socket: TestSocket, userId: string) =>
  socket.ofType('typing').filter((frame) => frame.user_id === userId);

describe('typing', () => {
  it('typing: with a ref the direct reply is ack', async () => {
    const conversation = await group();
    const { socket } = await sockets.join(cast.alice, conversation.id);
    const reply = await typing(socket, conversation.id, true);
    expect(reply).toEqual({ type: 'ack', ref: reply.ref });
  });

  it("typing: goes to every joined connection of OTHER users, not to the typist's own connections nor to unjoined ones", async () => {
    const conversation = await group();
    const { socket: typist } = await sockets.join(cast.alice, conversation.id);
    const { socket: typistSecond } = await sockets.join(cast.alice, conversation.id);
    const { socket: bobFirst } = await sockets.join(cast.bob, conversation.id);
    const { socket: bobSecond } = await sockets.join(cast.bob, conversation.id);
    const { socket: carolSocket } = await sockets.join(cast.carol, conversation.id);
    const carolUnjoined = await sockets.connect(cast.carol);

    await typing(typist, conversation.id, true);
    for (const socket of [bobFirst, bobSecond, carolSocket]) {
      const frame = frameOf(await socket.next('typing'), 'typing');
      expect(frame).toEqual({
        type: 'typing',
        conversation_id: conversation.id,
        user_id: cast.alice.id,
        is_typing: true,
      });
    }
    await Promise.all([typist, typistSecond, carolUnjoined].map((socket) => socket.settle()));
    expect(typist.ofType('typing')).toEqual([]);
    expect(typistSecond.ofType('typing')).toEqual([]);
    expect(carolUnjoined.ofType('typing')).toEqual([]);
  });

  it('typing: a connection that joins while someone types is told right after joined', async () => {
    const conversation = await group();
    const { socket: typist } = await sockets.join(cast.alice, conversation.id);
    await typing(typist, conversation.id, true);
    const { socket: late } = await sockets.join(cast.bob, conversation.id);
    const frame = frameOf(await late.next('typing'), 'typing');
    expect(frame).toEqual({
      type: 'typing',
      conversation_id: conversation.id,
      user_id: cast.alice.id,
      is_typing: true,
    });
    // The typist's own later joins are not told about themselves.
    const { socket: typistAgain } = await sockets.join(cast.alice, conversation.id);
    await typistAgain.settle();
    expect(typistAgain.ofType('typing')).toEqual([]);
  });

  it('typing: a typist need not be joined, only a member', async () => {
    const conversation = await group();
    const { socket: watcher } = await sockets.join(cast.bob, conversation.id);
    const typist = await sockets.connect(cast.alice);
    await typing(typist, conversation.id, true);
    const frame = frameOf(await watcher.next('typing'), 'typing');
    expect(frame.is_typing).toBe(true);
  });

  it('typing: a user who is not a member gets forbidden and nothing is sent', async () => {
    const conversation = await group();
    const { socket: watcher } = await sockets.join(cast.bob, conversation.id);
    const intruder = await sockets.connect(cast.mallory);
    expectError(await typing(intruder, conversation.id, true), 'forbidden');
    await watcher.settle();
    expect(watcher.ofType('typing')).toEqual([]);
  });

  it('typing: a conversation that does not exist gets not_found', async () => {
    const socket = await sockets.connect(cast.alice);
    expectError(await typing(socket, newClientId(), true), 'not_found');
  });

  it('typing: sent only on a change of state; a refresh that keeps it true sends nothing', async () => {
    const conversation = await group();
    const { socket: watcher } = await sockets.join(cast.bob, conversation.id);
    const { socket: typist } = await sockets.join(cast.alice, conversation.id);
    await typing(typist, conversation.id, true);
    await watcher.next('typing');
    await typing(typist, conversation.id, true);
    await typing(typist, conversation.id, true);
    await watcher.settle();
    expect(typingFrames(watcher, cast.alice.id).map((f) => f.is_typing)).toEqual([true]);

    await typing(typist, conversation.id, false);
    await watcher.next('typing');
    // Stopping again is no change either.
    await typing(typist, conversation.id, false);
    await watcher.settle();
    expect(typingFrames(watcher, cast.alice.id).map((f) => f.is_typing)).toEqual([true, false]);
  });

  it('typing: is_typing false without typing first sends nothing', async () => {
    const conversation = await group();
    const { socket: watcher } = await sockets.join(cast.bob, conversation.id);
    const { socket: typist } = await sockets.join(cast.alice, conversation.id);
    await typing(typist, conversation.id, false);
    await watcher.settle();
    expect(watcher.ofType('typing')).toEqual([]);
  });

  it("typing: a refresh from the typist's other connection sends nothing", async () => {
    const conversation = await group();
    const { socket: watcher } = await sockets.join(cast.bob, conversation.id);
    const laptop = await sockets.connect(cast.alice);
    const phone = await sockets.connect(cast.alice);
    await typing(laptop, conversation.id, true);
    await watcher.next('typing');
    await typing(phone, conversation.id, true);
    await watcher.settle();
    expect(typingFrames(watcher, cast.alice.id).map((f) => f.is_typing)).toEqual([true]);
  });

  it('typing: the server sends is_typing false when the typist sends a message in that conversation', async () => {
    const conversation = await group();
    const { socket: watcher } = await sockets.join(cast.bob, conversation.id);
    const typist = await sockets.connect(cast.alice);
    await typing(typist, conversation.id, true);
    await watcher.next('typing');
    const message = await sendMessage(typist, conversation.id, 'done typing');
    const stopped = frameOf(await watcher.next('typing'), 'typing');
    expect(stopped).toEqual({
      type: 'typing',
      conversation_id: conversation.id,
      user_id: cast.alice.id,
      is_typing: false,
    });
    await watcher.waitFor((f) => f.type === 'message' && f.message.id === message.id);
  });

  it('typing: a message sent in ANOTHER conversation does not end typing', async () => {
    const conversation = await group();
    const other = await group();
    const { socket: watcher } = await sockets.join(cast.bob, conversation.id);
    const typist = await sockets.connect(cast.alice);
    await typing(typist, conversation.id, true);
    await watcher.next('typing');
    await sendMessage(typist, other.id, 'elsewhere');
    await watcher.settle();
    expect(typingFrames(watcher, cast.alice.id).map((f) => f.is_typing)).toEqual([true]);
  });

  it('typing: the server sends is_typing false when the typist leaves', async () => {
    const conversation = await group();
    const { socket: watcher } = await sockets.join(cast.bob, conversation.id);
    const { socket: typist } = await sockets.join(cast.alice, conversation.id);
    await typing(typist, conversation.id, true);
    await watcher.next('typing');
    await typist.request({ type: 'leave_conversation', conversation_id: conversation.id });
    const stopped = frameOf(await watcher.next('typing'), 'typing');
    expect(stopped).toMatchObject({ user_id: cast.alice.id, is_typing: false });
  });

  it('typing: the server sends is_typing false when the typist disconnects', async () => {
    const conversation = await group();
    const { socket: watcher } = await sockets.join(cast.bob, conversation.id);
    const { socket: typist } = await sockets.join(cast.alice, conversation.id);
    await typing(typist, conversation.id, true);
    await watcher.next('typing');
    typist.close();
    const stopped = frameOf(await watcher.next('typing'), 'typing');
    expect(stopped).toEqual({
      type: 'typing',
      conversation_id: conversation.id,
      user_id: cast.alice.id,
      is_typing: false,
    });
  });

  it('typing: the server sends is_typing false when a typist who never joined disconnects', async () => {
    const conversation = await group();
    const { socket: watcher } = await sockets.join(cast.bob, conversation.id);
    const typist = await sockets.connect(cast.alice);
    await typing(typist, conversation.id, true);
    await watcher.next('typing');
    typist.close();
    const stopped = frameOf(await watcher.next('typing'), 'typing');
    expect(stopped).toEqual({
      type: 'typing',
      conversation_id: conversation.id,
      user_id: cast.alice.id,
      is_typing: false,
    });
  });

  it('typing: the server sends is_typing false by itself after the timeout without a refresh', async () => {
    const timeoutMs = 300;
    const local = await startTestServer({ typingTimeoutMs: timeoutMs });
    const scope = new SocketScope(() => local.server);
    try {
      const [ann, ben] = await Promise.all([
        createUser(local.server, 'Ann'),
        createUser(local.server, 'Ben'),
      ]);
      const conversation = await createConversation(local.server, ann, [ben]);
      const { socket: watcher } = await scope.join(ben, conversation.id);
      const typist = await scope.connect(ann);
      const started = performance.now();
      await typing(typist, conversation.id, true);
      await watcher.next('typing', (f) => f.type === 'typing' && f.is_typing);
      const stopped = frameOf(await watcher.next('typing', () => true, 10_000), 'typing');
      expect(stopped).toEqual({
        type: 'typing',
        conversation_id: conversation.id,
        user_id: ann.id,
        is_typing: false,
      });
      // Not before the timeout (allowing for timer granularity).
      expect(performance.now() - started).toBeGreaterThanOrEqual(timeoutMs - 5);
      await watcher.settle();
      expect(typingFrames(watcher, ann.id).map((f) => f.is_typing)).toEqual([true, false]);
    } finally {
      await scope.closeAll();
      await local.dispose();
    }
  });
});
