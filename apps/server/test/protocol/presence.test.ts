import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createConversation, createUser, type TestUser } from '../support/fixtures';
import { frameOf, joinOn, SocketScope } from '../support/protocol';
import type { TestSocket } from '../support/test-socket';
import { startTestServer, type TestServer } from '../support/test-server';

// PROTOCOL.md sections 4-5: presence, and `online` in joined members.

let ts: TestServer;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
const sockets = new SocketScope(() => ts.server);

beforeAll(async () => {
  ts = await startTestServer();
  [alice, bob, carol] = await Promise.all([
    createUser(ts.server, 'Alice'),
    createUser(ts.server, 'Bob'),
    createUser(ts.server, 'Carol'),
  ]);
});
afterEach(() => sockets.closeAll());
afterAll(() => ts.dispose());

const group = () => createConversation(ts.server, alice, [bob, carol]);

const presenceOf = (socket: TestSocket, userId: string) =>
  socket.ofType('presence').filter((frame) => frame.user_id === userId);

async function onlineIn(conversationId: string, userId: string): Promise<boolean | undefined> {
  const observer = await sockets.connect(carol);
  const joined = await joinOn(observer, conversationId);
  const online = joined.members.find((member) => member.user_id === userId)?.online;
  observer.close();
  await observer.closed;
  return online;
}

describe('presence', () => {
  it('presence: a member is online in joined while a connection of theirs is joined there, not merely connected', async () => {
    const conversation = await group();
    await sockets.connect(alice); // connected, not joined
    expect(await onlineIn(conversation.id, alice.id)).toBe(false);
    await sockets.join(alice, conversation.id);
    expect(await onlineIn(conversation.id, alice.id)).toBe(true);
    // Joined to another conversation does not make Alice online in this one.
    const other = await group();
    expect(await onlineIn(other.id, alice.id)).toBe(false);
  });

  it('presence: a join that makes a user online sends presence online to the joined connections of the OTHER users', async () => {
    const conversation = await group();
    const { socket: bobSocket } = await sockets.join(bob, conversation.id);
    const { socket: bobSecond } = await sockets.join(bob, conversation.id);
    const carolUnjoined = await sockets.connect(carol);
    const { socket: aliceSocket } = await sockets.join(alice, conversation.id);
    for (const socket of [bobSocket, bobSecond]) {
      const frame = frameOf(
        await socket.next('presence', (f) => f.type === 'presence' && f.user_id === alice.id),
        'presence',
      );
      expect(frame).toEqual({
        type: 'presence',
        conversation_id: conversation.id,
        user_id: alice.id,
        online: true,
      });
    }
    await Promise.all([aliceSocket.settle(), carolUnjoined.settle()]);
    // Not to the joiner itself, and not to a connection that is not joined.
    expect(presenceOf(aliceSocket, alice.id)).toEqual([]);
    expect(carolUnjoined.ofType('presence')).toEqual([]);
  });

  it("presence: the user's last joined connection leaving sends presence offline to the others", async () => {
    const conversation = await group();
    const { socket: watcher } = await sockets.join(bob, conversation.id);
    const { socket: leaver } = await sockets.join(alice, conversation.id);
    await watcher.next('presence', (f) => f.type === 'presence' && f.user_id === alice.id && f.online);
    await leaver.request({ type: 'leave_conversation', conversation_id: conversation.id });
    const frame = frameOf(await watcher.next('presence'), 'presence');
    expect(frame).toEqual({
      type: 'presence',
      conversation_id: conversation.id,
      user_id: alice.id,
      online: false,
    });
    expect(await onlineIn(conversation.id, alice.id)).toBe(false);
  });

  it("presence: the user's last joined connection disconnecting sends presence offline to the others", async () => {
    const conversation = await group();
    const { socket: watcher } = await sockets.join(bob, conversation.id);
    const { socket: leaver } = await sockets.join(alice, conversation.id);
    await watcher.next('presence', (f) => f.type === 'presence' && f.user_id === alice.id && f.online);
    leaver.close();
    const frame = frameOf(await watcher.next('presence'), 'presence');
    expect(frame).toEqual({
      type: 'presence',
      conversation_id: conversation.id,
      user_id: alice.id,
      online: false,
    });
    expect(await onlineIn(conversation.id, alice.id)).toBe(false);
  });

  it('presence: a second connection of the same user joining or leaving sends nothing', async () => {
    const conversation = await group();
    const { socket: watcher } = await sockets.join(bob, conversation.id);
    const { socket: first } = await sockets.join(alice, conversation.id);
    await watcher.next('presence', (f) => f.type === 'presence' && f.user_id === alice.id);

    const { socket: second } = await sockets.join(alice, conversation.id);
    await watcher.settle();
    expect(presenceOf(watcher, alice.id).map((f) => f.online)).toEqual([true]);

    await second.request({ type: 'leave_conversation', conversation_id: conversation.id });
    await watcher.settle();
    expect(presenceOf(watcher, alice.id).map((f) => f.online)).toEqual([true]);

    // Nor does another connection joining and then disconnecting.
    const third = await sockets.connect(alice);
    await joinOn(third, conversation.id);
    third.close();
    await third.closed;
    await watcher.settle();
    expect(presenceOf(watcher, alice.id).map((f) => f.online)).toEqual([true]);
    expect(await onlineIn(conversation.id, alice.id)).toBe(true);

    // The last one leaving is the change.
    await first.request({ type: 'leave_conversation', conversation_id: conversation.id });
    await watcher.next('presence', (f) => f.type === 'presence' && !f.online);
    expect(presenceOf(watcher, alice.id).map((f) => f.online)).toEqual([true, false]);
  });

  it('presence: joining the same conversation twice on one connection sends nothing more', async () => {
    const conversation = await group();
    const { socket: watcher } = await sockets.join(bob, conversation.id);
    const { socket } = await sockets.join(alice, conversation.id);
    await watcher.next('presence', (f) => f.type === 'presence' && f.user_id === alice.id);
    await joinOn(socket, conversation.id);
    await watcher.settle();
    expect(presenceOf(watcher, alice.id).map((f) => f.online)).toEqual([true]);
    // One leave is enough to go offline: the connection was counted once.
    await socket.request({ type: 'leave_conversation', conversation_id: conversation.id });
    await watcher.next('presence', (f) => f.type === 'presence' && !f.online);
  });
});
