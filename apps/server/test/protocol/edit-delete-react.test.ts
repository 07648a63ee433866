import type { Message } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { api, createConversation, newClientId } from '../support/fixtures';
import { backdateMessage, expectError, frameOf, sendMessage } from '../support/protocol';
import { useProtocolServer } from '../support/protocol-server';
import type { TestSocket } from '../support/test-socket';

// docs/protocol.md sections 3-5: edit_message, delete_message (unsend), react, message_updated.

const MINUTE = 60_000;

const cast = useProtocolServer();
const { sockets } = cast;

const group = () => createConversation(cast.server, cast.alice, [cast.bob, cast.carol]);

const edit = (socket: TestSocket, messageId: string, body: unknown) =>
  socket.request({ type: 'edit_message', message_id: messageId, body });
const unsend = (socket: TestSocket, messageId: string) =>
  socket.request({ type: 'delete_message', message_id: messageId });
const react = (socket: TestSocket, messageId: string, reaction: unknown) =>
  socket.request({ type: 'react', message_id: messageId, reaction });

function expectAck(frame: Record<string, unknown>) {
  expect(frame).toEqual({ type: 'ack', ref: frame.ref });
}

/** A conversation with Alice's message in it, and Alice's socket (not joined). */
async function aliceMessage(body = 'original') {
  const conversation = await group();
  const socket = await sockets.connect(cast.alice);
  const message = await sendMessage(socket, conversation.id, body);
  return { conversation, socket, message };
}

async function stored(conversationId: string, messageId: string): Promise<Message | undefined> {
  const response = await api(
    cast.server,
    cast.alice.token,
    'GET',
    `/api/conversations/${conversationId}/messages`,
  );
  const { messages } = (await response.json()) as { messages: Message[] };
  return messages.find((m) => m.id === messageId);
}

describe('edit_message', () => {
  it("edit: the sender's edit goes to every joined connection as message_updated (change edited) with the whole new state", async () => {
    const conversation = await group();
    const { socket: sender } = await sockets.join(cast.alice, conversation.id);
    const { socket: other } = await sockets.join(cast.bob, conversation.id);
    const message = await sendMessage(sender, conversation.id, 'helo');
    expectAck(await edit(sender, message.id, 'hello'));
    for (const socket of [sender, other]) {
      const updated = frameOf(await socket.next('message_updated'), 'message_updated');
      expect(updated.change).toBe('edited');
      expect(updated.message).toEqual({
        ...message,
        body: 'hello',
        updated_seq: 2,
        edited_at: updated.message.edited_at,
      });
      expect(updated.message.edited_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    expect(await stored(conversation.id, message.id)).toMatchObject({ body: 'hello', updated_seq: 2 });
  });

  it("edit: another member editing the sender's message gets forbidden", async () => {
    const { conversation, message } = await aliceMessage();
    const { socket: bobSocket } = await sockets.join(cast.bob, conversation.id);
    expectError(await edit(bobSocket, message.id, 'hijacked'), 'forbidden');
    await bobSocket.settle();
    expect(bobSocket.ofType('message_updated')).toEqual([]);
    expect((await stored(conversation.id, message.id))?.body).toBe('original');
  });

  it('edit: the body rules apply (1-4000 code points, not all white space): bad_request', async () => {
    const { conversation, socket, message } = await aliceMessage();
    for (const body of ['', '  \n ', 'x'.repeat(4001), 7]) {
      expectError(await edit(socket, message.id, body), 'bad_request');
    }
    expectAck(await edit(socket, message.id, '😀'.repeat(4000)));
    expect((await stored(conversation.id, message.id))?.body).toBe('😀'.repeat(4000));
  });

  it('edit: within 15 minutes of created_at is allowed', async () => {
    const { conversation, socket, message } = await aliceMessage();
    await backdateMessage(cast.harness, message.id, 14 * MINUTE);
    expectAck(await edit(socket, message.id, 'still in time'));
    expect((await stored(conversation.id, message.id))?.body).toBe('still in time');
  });

  it('edit: more than 15 minutes after created_at gets conflict', async () => {
    const { conversation, message } = await aliceMessage();
    const { socket } = await sockets.join(cast.alice, conversation.id);
    await backdateMessage(cast.harness, message.id, 15 * MINUTE + 5000);
    expectError(await edit(socket, message.id, 'too late'), 'conflict');
    await socket.settle();
    expect(socket.ofType('message_updated')).toEqual([]);
    expect(await stored(conversation.id, message.id)).toMatchObject({ body: 'original', updated_seq: 1 });
  });

  it('edit: at most 5 edits; the sixth gets conflict', async () => {
    const { conversation, socket, message } = await aliceMessage();
    for (let i = 1; i <= 5; i++) expectAck(await edit(socket, message.id, `edit ${i}`));
    expectError(await edit(socket, message.id, 'edit 6'), 'conflict');
    expect(await stored(conversation.id, message.id)).toMatchObject({ body: 'edit 5', updated_seq: 6 });
  });

  it('edit: an unsent message gets conflict', async () => {
    const { socket, message } = await aliceMessage();
    expectAck(await unsend(socket, message.id));
    expectError(await edit(socket, message.id, 'back from the dead'), 'conflict');
  });
});

describe('delete_message', () => {
  it('delete: the sender unsends within 2 minutes: body "" and deleted_at set, id, seq and the rest kept, change deleted to every joined connection', async () => {
    const conversation = await group();
    const { socket: sender } = await sockets.join(cast.alice, conversation.id);
    const { socket: other } = await sockets.join(cast.bob, conversation.id);
    const original = await sendMessage(sender, conversation.id, 'oops');
    const reply = await sendMessage(sender, conversation.id, 'a reply', { reply_to: original.id });
    await backdateMessage(cast.harness, reply.id, 2 * MINUTE - 10_000);
    expectAck(await unsend(sender, reply.id));
    for (const socket of [sender, other]) {
      const updated = frameOf(await socket.next('message_updated'), 'message_updated');
      expect(updated.change).toBe('deleted');
      expect(updated.message).toMatchObject({
        id: reply.id,
        conversation_id: conversation.id,
        seq: 2,
        updated_seq: 3,
        sender_id: cast.alice.id,
        client_id: reply.client_id,
        body: '',
        reply_to: original.id,
      });
      expect(updated.message.deleted_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    const kept = await stored(conversation.id, reply.id);
    expect(kept).toMatchObject({ id: reply.id, seq: 2, updated_seq: 3, body: '' });
    expect(kept?.deleted_at).not.toBeNull();
  });

  it("delete: another member unsending the sender's message gets forbidden", async () => {
    const { conversation, message } = await aliceMessage();
    const bobSocket = await sockets.connect(cast.bob);
    expectError(await unsend(bobSocket, message.id), 'forbidden');
    expect(await stored(conversation.id, message.id)).toMatchObject({ body: 'original', deleted_at: null });
  });

  it('delete: more than 2 minutes after created_at gets conflict', async () => {
    const { conversation, socket, message } = await aliceMessage();
    await backdateMessage(cast.harness, message.id, 2 * MINUTE + 5000);
    expectError(await unsend(socket, message.id), 'conflict');
    expect(await stored(conversation.id, message.id)).toMatchObject({ body: 'original', deleted_at: null });
  });

  it('delete: an already unsent message gets conflict and takes no seq', async () => {
    const { conversation, socket, message } = await aliceMessage();
    expectAck(await unsend(socket, message.id));
    expectError(await unsend(socket, message.id), 'conflict');
    expect((await stored(conversation.id, message.id))?.updated_seq).toBe(2);
  });
});

describe('react', () => {
  it('react: any member may react; message_updated (change reaction) maps the reaction to the user ids', async () => {
    const conversation = await group();
    const { socket: sender } = await sockets.join(cast.alice, conversation.id);
    const message = await sendMessage(sender, conversation.id);
    const bobSocket = await sockets.connect(cast.bob);
    const carolSocket = await sockets.connect(cast.carol);
    expectAck(await react(bobSocket, message.id, 'love'));
    expectAck(await react(carolSocket, message.id, 'love'));
    expectAck(await react(sender, message.id, 'like'));
    const updates = await sender.collect('message_updated', 3);
    expect(updates.map((f) => f.change)).toEqual(['reaction', 'reaction', 'reaction']);
    expect(updates[0]?.message.reactions).toEqual({ love: [cast.bob.id] });
    expect(updates[2]?.message).toEqual({
      ...message,
      updated_seq: 4,
      reactions: { love: [cast.bob.id, cast.carol.id], like: [cast.alice.id] },
    });
  });

  it("react: one reaction per user per message: a new one replaces the user's old one", async () => {
    const { conversation, message } = await aliceMessage();
    const bobSocket = await sockets.connect(cast.bob);
    const carolSocket = await sockets.connect(cast.carol);
    await react(bobSocket, message.id, 'love');
    await react(carolSocket, message.id, 'love');
    expectAck(await react(bobSocket, message.id, 'laugh'));
    expect((await stored(conversation.id, message.id))?.reactions).toEqual({
      love: [cast.carol.id],
      laugh: [cast.bob.id],
    });
  });

  it('react: null removes the reaction, and a reaction nobody holds any more is dropped from reactions', async () => {
    const { conversation, message } = await aliceMessage();
    const bobSocket = await sockets.connect(cast.bob);
    const carolSocket = await sockets.connect(cast.carol);
    await react(bobSocket, message.id, 'question');
    await react(carolSocket, message.id, 'emphasize');
    expectAck(await react(bobSocket, message.id, null));
    expect((await stored(conversation.id, message.id))?.reactions).toEqual({ emphasize: [cast.carol.id] });
    // Replacing the only holder's reaction drops the old key too.
    await react(carolSocket, message.id, 'dislike');
    expect((await stored(conversation.id, message.id))?.reactions).toEqual({ dislike: [cast.carol.id] });
    await react(carolSocket, message.id, null);
    expect((await stored(conversation.id, message.id))?.reactions).toEqual({});
  });

  it('react: the six tapback names are accepted', async () => {
    const { conversation, message } = await aliceMessage();
    const bobSocket = await sockets.connect(cast.bob);
    for (const reaction of ['love', 'like', 'dislike', 'laugh', 'emphasize', 'question']) {
      expectAck(await react(bobSocket, message.id, reaction));
      expect((await stored(conversation.id, message.id))?.reactions).toEqual({ [reaction]: [cast.bob.id] });
    }
  });

  it('react: one emoji grapheme is accepted, with a skin tone, as a ZWJ sequence (family) or a flag', async () => {
    const { conversation, message } = await aliceMessage();
    const bobSocket = await sockets.connect(cast.bob);
    for (const reaction of ['👍', '❤️', '👍🏽', '👨‍👩‍👧‍👦', '🧑🏿‍💻', '🇫🇷', '🏳️‍🌈']) {
      expectAck(await react(bobSocket, message.id, reaction));
      expect((await stored(conversation.id, message.id))?.reactions).toEqual({ [reaction]: [cast.bob.id] });
    }
  });

  it('react: two emoji, text, or an unknown name get bad_request and change nothing', async () => {
    const { conversation, message } = await aliceMessage();
    const { socket: watcher } = await sockets.join(cast.carol, conversation.id);
    const bobSocket = await sockets.connect(cast.bob);
    for (const reaction of ['👍👍', '🇫🇷🇩🇪', '👍 ', 'a', 'ok', 'haha', 'Love', 'heart', '', 3]) {
      expectError(await react(bobSocket, message.id, reaction), 'bad_request');
    }
    await watcher.settle();
    expect(watcher.ofType('message_updated')).toEqual([]);
    expect(await stored(conversation.id, message.id)).toMatchObject({ updated_seq: 1, reactions: {} });
  });

  it('react: reacting to an unsent message gets conflict', async () => {
    const { socket, message } = await aliceMessage();
    await unsend(socket, message.id);
    const bobSocket = await sockets.connect(cast.bob);
    expectError(await react(bobSocket, message.id, 'love'), 'conflict');
  });
});

describe('message changes: checks and replies', () => {
  it('changes: a message_id that does not exist gets not_found for edit, delete and react', async () => {
    const socket = await sockets.connect(cast.alice);
    const missing = newClientId();
    expectError(await edit(socket, missing, 'x'), 'not_found');
    expectError(await unsend(socket, missing), 'not_found');
    expectError(await react(socket, missing, 'love'), 'not_found');
  });

  it('changes: a message of a conversation the user is not a member of gets not_found for edit, delete and react', async () => {
    const { message } = await aliceMessage();
    const intruder = await sockets.connect(cast.mallory);
    expectError(await edit(intruder, message.id, 'x'), 'not_found');
    expectError(await unsend(intruder, message.id), 'not_found');
    expectError(await react(intruder, message.id, 'love'), 'not_found');
  });

  it('changes: checks go in the order not_found, then forbidden, then conflict', async () => {
    const { message: expired } = await aliceMessage();
    await backdateMessage(cast.harness, expired.id, 60 * MINUTE);
    const { socket: aliceSocket, message: unsent } = await aliceMessage();
    await unsend(aliceSocket, unsent.id);

    const intruder = await sockets.connect(cast.mallory);
    const bobSocket = await sockets.connect(cast.bob);
    for (const message of [expired, unsent]) {
      // A non-member: not_found, although the user is not the sender and the message is in a conflicting state.
      expectError(await edit(intruder, message.id, 'x'), 'not_found');
      expectError(await unsend(intruder, message.id), 'not_found');
      expectError(await react(intruder, message.id, 'love'), 'not_found');
      // A member who is not the sender: forbidden, although the message is in a conflicting state.
      expectError(await edit(bobSocket, message.id, 'x'), 'forbidden');
      expectError(await unsend(bobSocket, message.id), 'forbidden');
      // The sender: conflict.
      expectError(await edit(aliceSocket, message.id, 'x'), 'conflict');
      expectError(await unsend(aliceSocket, message.id), 'conflict');
    }
  });

  it('changes: with a ref the direct reply is ack; without one only the broadcast comes', async () => {
    const conversation = await group();
    const { socket } = await sockets.join(cast.alice, conversation.id);
    const message = await sendMessage(socket, conversation.id);
    expectAck(await edit(socket, message.id, 'edited with a ref'));
    expectAck(await react(socket, message.id, 'like'));

    socket.send({ type: 'edit_message', message_id: message.id, body: 'edited without a ref' });
    socket.send({ type: 'react', message_id: message.id, reaction: 'love' });
    socket.send({ type: 'delete_message', message_id: message.id });
    await socket.collect('message_updated', 5);
    await socket.settle();
    expect(socket.ofType('ack')).toHaveLength(2);
    expect(socket.ofType('error')).toEqual([]);
    expect(socket.ofType('message_updated').map((f) => f.change)).toEqual([
      'edited',
      'reaction',
      'edited',
      'reaction',
      'deleted',
    ]);
  });

  it('changes: an error without a ref still comes, with no ref field', async () => {
    const socket = await sockets.connect(cast.alice);
    socket.send({ type: 'edit_message', message_id: newClientId(), body: 'x' });
    const error = expectError(await socket.next('error'), 'not_found');
    expect('ref' in error).toBe(false);
  });
});
