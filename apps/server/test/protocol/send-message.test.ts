import type { Message } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { api, createConversation, newClientId } from '../support/fixtures';
import { broadcastMessages, expectError, frameOf, sendMessage } from '../support/protocol';
import { useProtocolServer } from '../support/protocol-server';

// docs/protocol.md sections 3-5: send_message, message_ack, message, and the send rules.

const cast = useProtocolServer();
const { sockets } = cast;

const group = () => createConversation(cast.server, cast.alice, [cast.bob, cast.carol]);

async function history(conversationId: string, user = cast.alice): Promise<Message[]> {
  const response = await api(cast.server, user.token, 'GET', `/api/conversations/${conversationId}/messages`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { messages: Message[] }).messages;
}

function sendFrame(conversationId: string, body: unknown, extra: Record<string, unknown> = {}) {
  return { type: 'send_message', conversation_id: conversationId, client_id: newClientId(), body, ...extra };
}

describe('send_message', () => {
  it('send: message_ack carries the stored message, as history returns it', async () => {
    const conversation = await group();
    const socket = await sockets.connect(cast.alice);
    const clientId = newClientId();
    const reply = await socket.request({
      type: 'send_message',
      conversation_id: conversation.id,
      client_id: clientId,
      body: 'Hello, Bob',
    });
    const ack = frameOf(reply, 'message_ack');
    expect(ack.client_id).toBe(clientId);
    expect(ack.message).toMatchObject({
      conversation_id: conversation.id,
      seq: 1,
      updated_seq: 1,
      sender_id: cast.alice.id,
      client_id: clientId,
      body: 'Hello, Bob',
      reply_to: null,
      edited_at: null,
      deleted_at: null,
      reactions: {},
    });
    expect(ack.message.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await history(conversation.id)).toEqual([ack.message]);
  });

  it('send: without a ref, message_ack still comes (a named reply), with no ref field', async () => {
    const conversation = await group();
    const socket = await sockets.connect(cast.alice);
    const frame = sendFrame(conversation.id, 'no ref');
    socket.send(frame);
    const ack = frameOf(await socket.next('message_ack'), 'message_ack');
    expect(ack.client_id).toBe(frame.client_id);
    expect('ref' in ack).toBe(false);
  });

  it('send: retry with same client_id acks the same message and broadcasts nothing', async () => {
    const conversation = await group();
    const { socket: observer } = await sockets.join(cast.bob, conversation.id);
    const { socket: sender } = await sockets.join(cast.alice, conversation.id);
    const frame = sendFrame(conversation.id, 'once only');
    const first = frameOf(await sender.request(frame), 'message_ack');
    await observer.waitFor((f) => f.type === 'message' && f.message.id === first.message.id);
    await sender.waitFor((f) => f.type === 'message' && f.message.id === first.message.id);

    const retry = frameOf(await sender.request(frame), 'message_ack');
    expect(retry.client_id).toBe(frame.client_id);
    expect(retry.message.id).toBe(first.message.id);
    expect(retry.message.seq).toBe(first.message.seq);
    expect(retry.message).toEqual(first.message);

    await Promise.all([observer.settle(), sender.settle()]);
    expect(broadcastMessages(observer)).toHaveLength(1);
    expect(broadcastMessages(sender)).toHaveLength(1);
    expect(await history(conversation.id)).toHaveLength(1);
    const next = await sendMessage(sender, conversation.id, 'next');
    expect(next.seq).toBe(2);
  });

  it('send: a retry with the same client_id but another body still acks the original message', async () => {
    const conversation = await group();
    const sender = await sockets.connect(cast.alice);
    const frame = sendFrame(conversation.id, 'original');
    const first = frameOf(await sender.request(frame), 'message_ack');
    const retry = frameOf(await sender.request({ ...frame, body: 'changed on retry' }), 'message_ack');
    expect(retry.message).toEqual(first.message);
    expect((await history(conversation.id)).map((m) => m.body)).toEqual(['original']);
  });

  it('send: concurrent duplicates of one client_id store one message', async () => {
    const conversation = await group();
    const { socket: observer } = await sockets.join(cast.bob, conversation.id);
    const sender = await sockets.connect(cast.alice);
    const frame = sendFrame(conversation.id, 'sent twice at once');
    const acks = await Promise.all([sender.request(frame), sender.request(frame), sender.request(frame)]);
    const ids = new Set(acks.map((ack) => frameOf(ack, 'message_ack').message.id));
    expect(ids.size).toBe(1);
    await observer.collect('message', 1);
    await observer.settle();
    expect(broadcastMessages(observer)).toHaveLength(1);
  });

  it('send: client_id is unique per sender: two users may use the same one', async () => {
    const conversation = await group();
    const clientId = newClientId();
    const fromAlice = frameOf(
      await (
        await sockets.connect(cast.alice)
      ).request(sendFrame(conversation.id, 'a', { client_id: clientId })),
      'message_ack',
    );
    const fromBob = frameOf(
      await (
        await sockets.connect(cast.bob)
      ).request(sendFrame(conversation.id, 'b', { client_id: clientId })),
      'message_ack',
    );
    expect(fromBob.message.id).not.toBe(fromAlice.message.id);
    expect(fromBob.message.seq).toBe(2);
  });

  it('send: an empty body gets bad_request with the client_id echoed', async () => {
    const conversation = await group();
    const socket = await sockets.connect(cast.alice);
    const frame = sendFrame(conversation.id, '');
    const error = expectError(await socket.request(frame), 'bad_request');
    expect(error.client_id).toBe(frame.client_id);
    expect(await history(conversation.id)).toEqual([]);
  });

  it('send: a body of only white space gets bad_request with the client_id echoed', async () => {
    const conversation = await group();
    const socket = await sockets.connect(cast.alice);
    for (const body of [' ', '   \n\t ', '\u00a0\u2003\u3000']) {
      const frame = sendFrame(conversation.id, body);
      const error = expectError(await socket.request(frame), 'bad_request');
      expect(error.client_id).toBe(frame.client_id);
    }
    expect(await history(conversation.id)).toEqual([]);
  });

  it('send: a body of 4000 code points is accepted, counted in code points not UTF-16 units', async () => {
    const conversation = await group();
    const socket = await sockets.connect(cast.alice);
    const ascii = 'a'.repeat(4000);
    expect((await sendMessage(socket, conversation.id, ascii)).body).toBe(ascii);
    // 4000 astral code points are 8000 UTF-16 code units.
    const astral = '😀'.repeat(4000);
    expect((await sendMessage(socket, conversation.id, astral)).body).toBe(astral);
  });

  it('send: a body over 4000 code points gets bad_request with the client_id echoed', async () => {
    const conversation = await group();
    const socket = await sockets.connect(cast.alice);
    for (const body of ['a'.repeat(4001), '😀'.repeat(4001)]) {
      const frame = sendFrame(conversation.id, body);
      const error = expectError(await socket.request(frame), 'bad_request');
      expect(error.client_id).toBe(frame.client_id);
    }
    expect(await history(conversation.id)).toEqual([]);
  });

  it('send: a body that is not a string gets bad_request with the client_id echoed', async () => {
    const conversation = await group();
    const socket = await sockets.connect(cast.alice);
    const frame = sendFrame(conversation.id, 42);
    expect(expectError(await socket.request(frame), 'bad_request').client_id).toBe(frame.client_id);
  });

  it('send: a client_id that is not a UUID gets bad_request without client_id', async () => {
    const conversation = await group();
    const socket = await sockets.connect(cast.alice);
    const error = expectError(
      await socket.request(sendFrame(conversation.id, 'hi', { client_id: 'not-a-uuid' })),
      'bad_request',
    );
    expect('client_id' in error).toBe(false);
  });

  it('send: reply_to a message of the same conversation is kept on the message', async () => {
    const conversation = await group();
    const socket = await sockets.connect(cast.alice);
    const original = await sendMessage(socket, conversation.id, 'question?');
    const reply = await sendMessage(socket, conversation.id, 'answer', { reply_to: original.id });
    expect(reply.reply_to).toBe(original.id);
  });

  it('send: reply_to a message of another conversation gets bad_request with the client_id', async () => {
    const conversation = await group();
    const other = await group();
    const socket = await sockets.connect(cast.alice);
    const elsewhere = await sendMessage(socket, other.id, 'elsewhere');
    const frame = sendFrame(conversation.id, 'reply', { reply_to: elsewhere.id });
    expect(expectError(await socket.request(frame), 'bad_request').client_id).toBe(frame.client_id);
    expect(await history(conversation.id)).toEqual([]);
  });

  it('send: reply_to a message id that does not exist gets bad_request with the client_id', async () => {
    const conversation = await group();
    const socket = await sockets.connect(cast.alice);
    const frame = sendFrame(conversation.id, 'reply', { reply_to: newClientId() });
    expect(expectError(await socket.request(frame), 'bad_request').client_id).toBe(frame.client_id);
  });

  it('send: sending requires membership, not a join', async () => {
    const conversation = await group();
    const { socket: observer } = await sockets.join(cast.bob, conversation.id);
    const sender = await sockets.connect(cast.alice);
    const message = await sendMessage(sender, conversation.id, 'not joined');
    const seen = await observer.waitFor((f) => f.type === 'message');
    expect(frameOf(seen, 'message').message).toEqual(message);
    await sender.settle();
    expect(sender.ofType('message')).toEqual([]);
  });

  it('send: a user who is not a member gets forbidden with the client_id', async () => {
    const conversation = await group();
    const { socket: observer } = await sockets.join(cast.bob, conversation.id);
    const socket = await sockets.connect(cast.mallory);
    const frame = sendFrame(conversation.id, 'let me in');
    expect(expectError(await socket.request(frame), 'forbidden').client_id).toBe(frame.client_id);
    await observer.settle();
    expect(observer.ofType('message')).toEqual([]);
    expect(await history(conversation.id)).toEqual([]);
  });

  it('send: a conversation that does not exist gets not_found with the client_id', async () => {
    const socket = await sockets.connect(cast.alice);
    const frame = sendFrame(newClientId(), 'hello?');
    expect(expectError(await socket.request(frame), 'not_found').client_id).toBe(frame.client_id);
  });

  it('send: a refusal without a ref still comes, carrying the client_id and no ref', async () => {
    const socket = await sockets.connect(cast.mallory);
    const frame = sendFrame(newClientId(), 'hello?');
    socket.send(frame);
    const error = expectError(await socket.next('error'), 'not_found');
    expect(error.client_id).toBe(frame.client_id);
    expect('ref' in error).toBe(false);
  });

  it("send: every joined connection gets message, the sender's own included, and no unjoined one", async () => {
    const conversation = await group();
    const { socket: sender } = await sockets.join(cast.alice, conversation.id);
    const { socket: senderSecond } = await sockets.join(cast.alice, conversation.id);
    const { socket: bobSocket } = await sockets.join(cast.bob, conversation.id);
    const carolUnjoined = await sockets.connect(cast.carol);
    const message = await sendMessage(sender, conversation.id, 'to everyone');
    for (const socket of [sender, senderSecond, bobSocket]) {
      const frame = frameOf(await socket.waitFor((f) => f.type === 'message'), 'message');
      expect(frame).toEqual({ type: 'message', message });
    }
    await Promise.all([sender, senderSecond, bobSocket, carolUnjoined].map((socket) => socket.settle()));
    for (const socket of [sender, senderSecond, bobSocket]) expect(socket.ofType('message')).toHaveLength(1);
    expect(carolUnjoined.ofType('message')).toEqual([]);
  });
});
