import type { Conversation } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { api, createConversation, newClientId } from '../support/fixtures';
import { expectError, sendMessage } from '../support/protocol';
import { useProtocolServer } from '../support/protocol-server';

// docs/protocol.md section 10: mentions.

const cast = useProtocolServer();
const { sockets } = cast;

const group = () => createConversation(cast.server, cast.alice, [cast.bob, cast.carol], 'Trip');

async function viewOf(token: string, id: string): Promise<Conversation> {
  const response = await api(cast.server, token, 'GET', `/api/conversations/${id}`);
  return ((await response.json()) as { conversation: Conversation }).conversation;
}

describe('mentions', () => {
  it('mentions: a send carries the members it mentions, as sent, to everyone', async () => {
    const conversation = await group();
    const { socket: carol } = await sockets.join(cast.carol, conversation.id);
    const socket = await sockets.connect(cast.alice);
    const message = await sendMessage(socket, conversation.id, '@Bob @Carol look', {
      mentions: [cast.bob.id, cast.carol.id],
    });
    expect(message.mentions).toEqual([cast.bob.id, cast.carol.id]);
    const heard = await carol.next('message');
    expect(heard).toMatchObject({ message: { id: message.id, mentions: [cast.bob.id, cast.carol.id] } });
  });

  it('mentions: a non-member, a non-UUID or more than 50 is bad_request and nothing is stored', async () => {
    const conversation = await group();
    const socket = await sockets.connect(cast.alice);
    const send = (mentions: unknown) =>
      socket.request({
        type: 'send_message',
        conversation_id: conversation.id,
        client_id: newClientId(),
        body: 'hey',
        mentions,
      });
    expectError(await send([cast.mallory.id]), 'bad_request');
    expectError(await send(['bob']), 'bad_request');
    expectError(await send(Array.from({ length: 51 }, () => cast.bob.id)), 'bad_request');
    expect((await viewOf(cast.alice.token, conversation.id)).last_seq).toBe(0);
  });

  it("mentions: unread_mentions counts others' unread, undeleted messages that mention the caller", async () => {
    const conversation = await group();
    const bob = await sockets.connect(cast.bob);
    const carol = await sockets.connect(cast.carol);
    await sendMessage(bob, conversation.id, '@Alice one', { mentions: [cast.alice.id] });
    const second = await sendMessage(carol, conversation.id, '@Alice two', { mentions: [cast.alice.id] });
    await sendMessage(carol, conversation.id, 'no mention');
    expect((await viewOf(cast.alice.token, conversation.id)).unread_mentions).toBe(2);
    expect((await viewOf(cast.bob.token, conversation.id)).unread_mentions).toBe(0);
    await carol.request({ type: 'delete_message', message_id: second.id, ref: 'd' });
    expect((await viewOf(cast.alice.token, conversation.id)).unread_mentions).toBe(1);
    const alice = await sockets.connect(cast.alice);
    await alice.request({ type: 'mark_read', conversation_id: conversation.id, seq: 99, ref: 'r' });
    expect((await viewOf(cast.alice.token, conversation.id)).unread_mentions).toBe(0);
  });
});
