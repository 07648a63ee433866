import { describe, expect, it } from 'vitest';
import { createConversation } from '../support/fixtures';
import { frameOf, joinOn } from '../support/protocol';
import { useProtocolServer } from '../support/protocol-server';
import type { TestSocket } from '../support/test-socket';

// docs/protocol.md sections 4-5: presence, and `online` in joined members.

const cast = useProtocolServer();
const { sockets } = cast;

const group = () => createConversation(cast.server, cast.alice, [cast.bob, cast.carol]);

const presenceOf = (socket: TestSocket, userId: string) =>
  socket.ofType('presence').filter((frame) => frame.user_id === userId);

async function onlineIn(conversationId: string, userId: string): Promise<boolean | undefined> {
  const observer = await sockets.connect(cast.carol);
  const joined = await joinOn(observer, conversationId);
  const online = joined.members.find((member) => member.user_id === userId)?.online;
  observer.close();
  await observer.closed;
  return online;
}

describe('presence', () => {
  it('presence: a member is online in joined while a connection of theirs is joined there, not merely connected', async () => {
    const conversation = await group();
    await sockets.connect(cast.alice); // connected, not joined
    expect(await onlineIn(conversation.id, cast.alice.id)).toBe(false);
    await sockets.join(cast.alice, conversation.id);
    expect(await onlineIn(conversation.id, cast.alice.id)).toBe(true);
    // Joined to another conversation does not make Alice online in this one.
    const other = await group();
    expect(await onlineIn(other.id, cast.alice.id)).toBe(false);
  });

  it('presence: a join that makes a user online sends presence online to the joined connections of the OTHER users', async () => {
    const conversation = await group();
    const { socket: bobSocket } = await sockets.join(cast.bob, conversation.id);
    const { socket: bobSecond } = await sockets.join(cast.bob, conversation.id);
    const carolUnjoined = await sockets.connect(cast.carol);
    const { socket: aliceSocket } = await sockets.join(cast.alice, conversation.id);
    for (const socket of [bobSocket, bobSecond]) {
      const frame = frameOf(
        await socket.next('presence', (f) => f.type === 'presence' && f.user_id === cast.alice.id),
        'presence',
      );
      expect(frame).toEqual({
        type: 'presence',
        conversation_id: conversation.id,
        user_id: cast.alice.id,
        online: true,
      });
    }
    await Promise.all([aliceSocket.settle(), carolUnjoined.settle()]);
    // Not to the joiner itself, and not to a connection that is not joined.
    expect(presenceOf(aliceSocket, cast.alice.id)).toEqual([]);
    expect(carolUnjoined.ofType('presence')).toEqual([]);
  });

  it("presence: the user's last joined connection leaving sends presence offline to the others", async () => {
    const conversation = await group();
    const { socket: watcher } = await sockets.join(cast.bob, conversation.id);
    const { socket: leaver } = await sockets.join(cast.alice, conversation.id);
    await watcher.next('presence', (f) => f.type === 'presence' && f.user_id === cast.alice.id && f.online);
    await leaver.request({ type: 'leave_conversation', conversation_id: conversation.id });
    const frame = frameOf(await watcher.next('presence'), 'presence');
    expect(frame).toEqual({
      type: 'presence',
      conversation_id: conversation.id,
      user_id: cast.alice.id,
      online: false,
    });
    expect(await onlineIn(conversation.id, cast.alice.id)).toBe(false);
  });

  it("presence: the user's last joined connection disconnecting sends presence offline to the others", async () => {
    const conversation = await group();
    const { socket: watcher } = await sockets.join(cast.bob, conversation.id);
    const { socket: leaver } = await sockets.join(cast.alice, conversation.id);
    await watcher.next('presence', (f) => f.type === 'presence' && f.user_id === cast.alice.id && f.online);
    leaver.close();
    const frame = frameOf(await watcher.next('presence'), 'presence');
    expect(frame).toEqual({
      type: 'presence',
      conversation_id: conversation.id,
      user_id: cast.alice.id,
      online: false,
    });
    expect(await onlineIn(conversation.id, cast.alice.id)).toBe(false);
  });

  it('presence: a second connection of the same user joining or leaving sends nothing', async () => {
    const conversation = await group();
    const { socket: watcher } = await sockets.join(cast.bob, conversation.id);
    const { socket: first } = await sockets.join(cast.alice, conversation.id);
    await watcher.next('presence', (f) => f.type === 'presence' && f.user_id === cast.alice.id);

    const { socket: second } = await sockets.join(cast.alice, conversation.id);
    await watcher.settle();
    expect(presenceOf(watcher, cast.alice.id).map((f) => f.online)).toEqual([true]);

    await second.request({ type: 'leave_conversation', conversation_id: conversation.id });
    await watcher.settle();
    expect(presenceOf(watcher, cast.alice.id).map((f) => f.online)).toEqual([true]);

    // Nor does another connection joining and then disconnecting.
    const third = await sockets.connect(cast.alice);
    await joinOn(third, conversation.id);
    third.close();
    await third.closed;
    await watcher.settle();
    expect(presenceOf(watcher, cast.alice.id).map((f) => f.online)).toEqual([true]);
    expect(await onlineIn(conversation.id, cast.alice.id)).toBe(true);

    // The last one leaving is the change.
    await first.request({ type: 'leave_conversation', conversation_id: conversation.id });
    await watcher.next('presence', (f) => f.type === 'presence' && !f.online);
    expect(presenceOf(watcher, cast.alice.id).map((f) => f.online)).toEqual([true, false]);
  });

  it('presence: joining the same conversation twice on one connection sends nothing more', async () => {
    const conversation = await group();
    const { socket: watcher } = await sockets.join(cast.bob, conversation.id);
    const { socket } = await sockets.join(cast.alice, conversation.id);
    await watcher.next('presence', (f) => f.type === 'presence' && f.user_id === cast.alice.id);
    await joinOn(socket, conversation.id);
    await watcher.settle();
    expect(presenceOf(watcher, cast.alice.id).map((f) => f.online)).toEqual([true]);
    // One leave is enough to go offline: the connection was counted once.
    await socket.request({ type: 'leave_conversation', conversation_id: conversation.id });
    await watcher.next('presence', (f) => f.type === 'presence' && !f.online);
  });
});
