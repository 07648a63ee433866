import type { Conversation } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { api, createConversation, newClientId, type TestUser } from '../support/fixtures';
import { expectError, frameOf, sendMany, sendMessage } from '../support/protocol';
import { useProtocolServer } from '../support/protocol-server';
import type { TestSocket } from '../support/test-socket';

// docs/protocol.md sections 3-5: mark_read, read, read_seq and unread_count.

const cast = useProtocolServer();
const { sockets } = cast;

const group = () => createConversation(cast.server, cast.alice, [cast.bob, cast.carol]);

const markRead = (socket: TestSocket, conversationId: string, seq: number) =>
  socket.request({ type: 'mark_read', conversation_id: conversationId, seq });

async function listed(user: TestUser, conversationId: string): Promise<Conversation> {
  const response = await api(cast.server, user.token, 'GET', '/api/conversations');
  expect(response.status).toBe(200);
  const { conversations } = (await response.json()) as { conversations: Conversation[] };
  const conversation = conversations.find((c) => c.id === conversationId);
  if (!conversation) throw new Error('conversation not listed');
  return conversation;
}

describe('mark_read', () => {
  it('read: with a ref the direct reply is ack', async () => {
    const conversation = await group();
    const socket = await sockets.connect(cast.alice);
    await sendMessage(socket, conversation.id);
    const reply = await markRead(socket, conversation.id, 1);
    expect(reply).toEqual({ type: 'ack', ref: reply.ref });
  });

  it("read: goes to every joined connection, the reader's own included, and to no unjoined one", async () => {
    const conversation = await group();
    const { socket: reader } = await sockets.join(cast.bob, conversation.id);
    const { socket: readerSecond } = await sockets.join(cast.bob, conversation.id);
    const { socket: aliceSocket } = await sockets.join(cast.alice, conversation.id);
    const carolUnjoined = await sockets.connect(cast.carol);
    await sendMany(aliceSocket, conversation.id, 2);
    await markRead(reader, conversation.id, 2);
    for (const socket of [reader, readerSecond, aliceSocket]) {
      const read = frameOf(await socket.next('read'), 'read');
      expect(read).toEqual({ type: 'read', conversation_id: conversation.id, user_id: cast.bob.id, seq: 2 });
    }
    await carolUnjoined.settle();
    expect(carolUnjoined.ofType('read')).toEqual([]);
  });

  it('read: the reader need not be joined, only a member', async () => {
    const conversation = await group();
    const { socket: watcher } = await sockets.join(cast.alice, conversation.id);
    await sendMessage(watcher, conversation.id);
    const reader = await sockets.connect(cast.bob);
    await markRead(reader, conversation.id, 1);
    expect(frameOf(await watcher.next('read'), 'read')).toMatchObject({ user_id: cast.bob.id, seq: 1 });
  });

  it('read: a seq above last_seq is taken as last_seq', async () => {
    const conversation = await group();
    const { socket: watcher } = await sockets.join(cast.alice, conversation.id);
    await sendMany(watcher, conversation.id, 3);
    const reader = await sockets.connect(cast.bob);
    await markRead(reader, conversation.id, 1000);
    expect(frameOf(await watcher.next('read'), 'read')).toMatchObject({ user_id: cast.bob.id, seq: 3 });
    const { joined } = await sockets.join(cast.carol, conversation.id);
    expect(joined.members.find((m) => m.user_id === cast.bob.id)?.read_seq).toBe(3);
    // The next message is above read_seq 3: unread again.
    await sendMessage(watcher, conversation.id);
    expect((await listed(cast.bob, conversation.id)).unread_count).toBe(1);
  });

  it('read: a value not above the current read_seq is ignored and nothing is sent', async () => {
    const conversation = await group();
    const { socket: watcher } = await sockets.join(cast.alice, conversation.id);
    const { socket: reader } = await sockets.join(cast.bob, conversation.id);
    await sendMany(watcher, conversation.id, 5);
    await markRead(reader, conversation.id, 4);
    await watcher.next('read');
    await reader.next('read');

    for (const seq of [4, 2, 0]) {
      const reply = await markRead(reader, conversation.id, seq);
      expect(reply).toEqual({ type: 'ack', ref: reply.ref });
    }
    await Promise.all([watcher.settle(), reader.settle()]);
    expect(watcher.ofType('read')).toHaveLength(1);
    expect(reader.ofType('read')).toHaveLength(1);
    const { joined } = await sockets.join(cast.carol, conversation.id);
    expect(joined.members.find((m) => m.user_id === cast.bob.id)?.read_seq).toBe(4);
    expect(
      (await listed(cast.bob, conversation.id)).members.find((m) => m.user_id === cast.bob.id)?.read_seq,
    ).toBe(4);
  });

  it('read: mark_read in an empty conversation changes nothing and sends nothing', async () => {
    const conversation = await group();
    const { socket: watcher } = await sockets.join(cast.alice, conversation.id);
    const reader = await sockets.connect(cast.bob);
    await markRead(reader, conversation.id, 5);
    await watcher.settle();
    expect(watcher.ofType('read')).toEqual([]);
  });

  it('read: a user who is not a member gets forbidden; an unknown conversation not_found', async () => {
    const conversation = await group();
    const { socket: watcher } = await sockets.join(cast.alice, conversation.id);
    await sendMessage(watcher, conversation.id);
    const intruder = await sockets.connect(cast.mallory);
    expectError(await markRead(intruder, conversation.id, 1), 'forbidden');
    expectError(await markRead(intruder, newClientId(), 1), 'not_found');
    await watcher.settle();
    expect(watcher.ofType('read')).toEqual([]);
  });

  it("read: unread_count counts other members' messages, not deleted, with seq above the reader's read_seq", async () => {
    const conversation = await group();
    const aliceSocket = await sockets.connect(cast.alice);
    const bobSocket = await sockets.connect(cast.bob);
    const carolSocket = await sockets.connect(cast.carol);
    await sendMessage(aliceSocket, conversation.id, 'a1'); // 1
    const a2 = await sendMessage(aliceSocket, conversation.id, 'a2'); // 2
    await sendMessage(bobSocket, conversation.id, 'b1'); // 3: Bob's own
    await sendMessage(carolSocket, conversation.id, 'c1'); // 4
    expect((await listed(cast.bob, conversation.id)).unread_count).toBe(3);
    expect((await listed(cast.alice, conversation.id)).unread_count).toBe(2);

    await aliceSocket.request({ type: 'delete_message', message_id: a2.id }); // 5
    expect((await listed(cast.bob, conversation.id)).unread_count).toBe(2);

    await markRead(bobSocket, conversation.id, 1);
    expect((await listed(cast.bob, conversation.id)).unread_count).toBe(1);
    const a3 = await sendMessage(aliceSocket, conversation.id, 'a3'); // 6
    // A change takes a counter value but is no new message: still 2 unread (c1, a3).
    await aliceSocket.request({ type: 'edit_message', message_id: a3.id, body: 'a3!' }); // 7
    expect((await listed(cast.bob, conversation.id)).unread_count).toBe(2);
    await markRead(bobSocket, conversation.id, 100);
    expect((await listed(cast.bob, conversation.id)).unread_count).toBe(0);
    // Carol has read nothing: a1, b1 and a3 (a2 deleted, c1 her own).
    expect((await listed(cast.carol, conversation.id)).unread_count).toBe(3);
  });
});
