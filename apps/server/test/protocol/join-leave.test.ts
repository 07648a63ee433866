import { describe, expect, it } from 'vitest';
import { createConversation, newClientId } from '../support/fixtures';
import {
  broadcastMessages,
  changeFrames,
  expectError,
  frameOf,
  joinOn,
  sendMany,
  sendMessage,
} from '../support/protocol';
import { useProtocolServer } from '../support/protocol-server';

// docs/protocol.md sections 3-5: join_conversation / joined, leave_conversation / left.

// Several tests fill a conversation with hundreds of messages from one connection.
// Typing never expires by itself here: the leave test must see leave end it.
const cast = useProtocolServer({
  rateLimitMessagesPerSec: 100_000,
  rateLimitBurst: 100_000,
  typingTimeoutMs: 120_000,
});
const { sockets } = cast;

const group = () => createConversation(cast.server, cast.alice, [cast.bob, cast.carol]);

describe('join_conversation', () => {
  it('join: a user who is not a member gets forbidden', async () => {
    const conversation = await group();
    const socket = await sockets.connect(cast.mallory);
    const reply = await socket.request({ type: 'join_conversation', conversation_id: conversation.id });
    expectError(reply, 'forbidden');
    // Not subscribed: a message sent afterwards does not reach the refused socket.
    const sender = await sockets.connect(cast.alice);
    await sendMessage(sender, conversation.id);
    await socket.settle();
    expect(socket.ofType('message')).toHaveLength(0);
  });

  it('join: a conversation that does not exist gets not_found', async () => {
    const socket = await sockets.connect(cast.alice);
    const reply = await socket.request({ type: 'join_conversation', conversation_id: newClientId() });
    expectError(reply, 'not_found');
  });

  it('join: joined is sent without a ref too, with no ref field', async () => {
    const conversation = await group();
    const socket = await sockets.connect(cast.alice);
    socket.send({ type: 'join_conversation', conversation_id: conversation.id });
    const joined = frameOf(await socket.next('joined'), 'joined');
    expect(joined.conversation_id).toBe(conversation.id);
    expect('ref' in joined).toBe(false);
  });

  it('join: an empty conversation has last_seq 0, no messages and has_more false', async () => {
    const conversation = await group();
    const { joined } = await sockets.join(cast.alice, conversation.id);
    expect(joined).toMatchObject({
      conversation_id: conversation.id,
      last_seq: 0,
      messages: [],
      has_more: false,
    });
  });

  it('join: without since_seq, messages are the newest 50 in seq order and has_more says older ones exist', async () => {
    const conversation = await group();
    const sender = await sockets.connect(cast.alice);
    const sent = await sendMany(sender, conversation.id, 60);
    const { joined } = await sockets.join(cast.bob, conversation.id);
    expect(joined.last_seq).toBe(60);
    expect(joined.messages.map((m) => m.seq)).toEqual(sent.slice(10).map((m) => m.seq));
    expect(joined.messages.map((m) => m.id)).toEqual(sent.slice(10).map((m) => m.id));
    expect(joined.messages[0]?.seq).toBe(11);
    expect(joined.has_more).toBe(true);
  });

  it('join: without since_seq, has_more is false when every message fits in the 50', async () => {
    const conversation = await group();
    const sender = await sockets.connect(cast.alice);
    const sent = await sendMany(sender, conversation.id, 50);
    const { joined } = await sockets.join(cast.bob, conversation.id);
    expect(joined.messages.map((m) => m.id)).toEqual(sent.map((m) => m.id));
    expect(joined.has_more).toBe(false);
  });

  it('join: without since_seq, messages show their current state (edited, deleted, reactions)', async () => {
    const conversation = await group();
    const sender = await sockets.connect(cast.alice);
    const [first, second, third] = await sendMany(sender, conversation.id, 3);
    await sender.request({ type: 'edit_message', message_id: first!.id, body: 'edited' });
    await sender.request({ type: 'delete_message', message_id: second!.id });
    await sender.request({ type: 'react', message_id: third!.id, reaction: 'love' });
    const { joined } = await sockets.join(cast.bob, conversation.id);
    expect(joined.last_seq).toBe(6);
    const [a, b, c] = joined.messages;
    expect(a).toMatchObject({ id: first!.id, seq: 1, updated_seq: 4, body: 'edited' });
    expect(a?.edited_at).not.toBeNull();
    expect(b).toMatchObject({ id: second!.id, seq: 2, updated_seq: 5, body: '' });
    expect(b?.deleted_at).not.toBeNull();
    expect(c).toMatchObject({ id: third!.id, seq: 3, updated_seq: 6, reactions: { love: [cast.alice.id] } });
  });

  it('join: with since_seq, messages are every message with updated_seq above it in updated_seq order, edits, deletes and reactions included', async () => {
    const conversation = await group();
    const sender = await sockets.connect(cast.alice);
    const reactor = await sockets.connect(cast.bob);
    const [m1, m2, m3, m4] = await sendMany(sender, conversation.id, 4); // seqs 1-4
    await sender.request({ type: 'edit_message', message_id: m2!.id, body: 'two, edited' }); // 5
    await reactor.request({ type: 'react', message_id: m1!.id, reaction: 'like' }); // 6
    await sender.request({ type: 'delete_message', message_id: m3!.id }); // 7
    const m5 = await sendMessage(sender, conversation.id, 'five'); // 8

    const { joined } = await sockets.join(cast.carol, conversation.id, 4);
    expect(joined.last_seq).toBe(8);
    expect(joined.has_more).toBe(false);
    expect(joined.messages.map((m) => [m.id, m.updated_seq])).toEqual([
      [m2!.id, 5],
      [m1!.id, 6],
      [m3!.id, 7],
      [m5.id, 8],
    ]);
    expect(joined.messages[0]?.body).toBe('two, edited');
    expect(joined.messages[1]?.reactions).toEqual({ like: [cast.bob.id] });
    expect(joined.messages[2]).toMatchObject({ body: '', seq: 3 });
    expect(joined.messages[2]?.deleted_at).not.toBeNull();
    // m4 was not changed after seq 4: not included.
    expect(joined.messages.some((m) => m.id === m4!.id)).toBe(false);

    const upToDate = await joinOn(await sockets.connect(cast.carol), conversation.id, 8);
    expect(upToDate.messages).toEqual([]);
    expect(upToDate.has_more).toBe(false);
  });

  it('join: with since_seq, at most 500 messages and has_more true when more were missed', async () => {
    const conversation = await group();
    const sender = await sockets.connect(cast.alice);
    const sent = await sendMany(sender, conversation.id, 502);

    const missedMore = await joinOn(await sockets.connect(cast.bob), conversation.id, 1);
    expect(missedMore.messages).toHaveLength(500);
    expect(missedMore.messages.map((m) => m.updated_seq)).toEqual(sent.slice(1, 501).map((m) => m.seq));
    expect(missedMore.has_more).toBe(true);
    expect(missedMore.last_seq).toBe(502);

    const exactly500 = await joinOn(await sockets.connect(cast.bob), conversation.id, 2);
    expect(exactly500.messages).toHaveLength(500);
    expect(exactly500.messages.at(-1)?.id).toBe(sent.at(-1)?.id);
    expect(exactly500.has_more).toBe(false);
  });

  it('join: members list every member with display_name, read_seq and online', async () => {
    const conversation = await group();
    const bobSocket = await sockets.connect(cast.bob);
    await sendMessage(bobSocket, conversation.id, 'one');
    await sendMessage(bobSocket, conversation.id, 'two');
    await bobSocket.request({ type: 'mark_read', conversation_id: conversation.id, seq: 2 });
    await sockets.join(cast.carol, conversation.id);

    const { joined } = await sockets.join(cast.alice, conversation.id);
    const byId = new Map(joined.members.map((member) => [member.user_id, member]));
    expect(byId.size).toBe(3);
    expect(byId.get(cast.alice.id)).toEqual({
      user_id: cast.alice.id,
      display_name: 'Alice',
      read_seq: 0,
      role: expect.any(String),
      is_agent: false,
      online: true,
    });
    // Bob is connected but not joined: not online here.
    expect(byId.get(cast.bob.id)).toEqual({
      user_id: cast.bob.id,
      display_name: 'Bob',
      read_seq: 2,
      role: expect.any(String),
      is_agent: false,
      online: false,
    });
    expect(byId.get(cast.carol.id)).toEqual({
      user_id: cast.carol.id,
      display_name: 'Carol',
      read_seq: 0,
      role: expect.any(String),
      is_agent: false,
      online: true,
    });
  });

  it('join: joined comes first, then every later change exactly once with no gap', async () => {
    const conversation = await group();
    const sender = await sockets.connect(cast.alice);
    const latest = await sockets.connect(cast.bob);
    const resuming = await sockets.connect(cast.carol);
    const total = 200;
    // Sends stream in, ten per round trip, while the two joins are answered.
    const sending = (async () => {
      for (let round = 0; round < total / 10; round++) await sendMany(sender, conversation.id, 10);
    })();
    await sender.waitFor((frame) => frame.type === 'message_ack');
    const [joinedLatest, joinedResuming] = await Promise.all([
      joinOn(latest, conversation.id),
      joinOn(resuming, conversation.id, 0),
    ]);
    await sending;
    // The joins landed while messages were still being sent.
    expect(joinedLatest.last_seq).toBeLessThan(total);
    await latest.collect('message', total - joinedLatest.last_seq);
    await resuming.collect('message', total - joinedResuming.last_seq);
    await Promise.all([latest.settle(), resuming.settle()]);

    for (const [socket, joined] of [
      [latest, joinedLatest],
      [resuming, joinedResuming],
    ] as const) {
      const joinedIndex = socket.frames.indexOf(joined);
      const firstChange = socket.frames.findIndex((f) => f.type === 'message');
      expect(firstChange === -1 || firstChange > joinedIndex).toBe(true);
      expect(joined.messages.at(-1)?.updated_seq ?? 0).toBe(joined.last_seq);
      const after = broadcastMessages(socket).map((m) => m.updated_seq);
      expect(after).toEqual(
        Array.from({ length: total - joined.last_seq }, (_, i) => joined.last_seq + i + 1),
      );
    }
    // since_seq 0: the snapshot plus what followed is every message exactly once.
    const seen = [...joinedResuming.messages, ...broadcastMessages(resuming)].map((m) => m.seq);
    expect(seen).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  });
});

describe('leave_conversation', () => {
  it('leave: the direct reply is left with the conversation_id', async () => {
    const conversation = await group();
    const { socket } = await sockets.join(cast.alice, conversation.id);
    const reply = await socket.request({ type: 'leave_conversation', conversation_id: conversation.id });
    expect(frameOf(reply, 'left').conversation_id).toBe(conversation.id);
  });

  it('leave: a connection that left receives no further events of the conversation', async () => {
    const conversation = await group();
    const { socket: leaver } = await sockets.join(cast.bob, conversation.id);
    const { socket: stayer } = await sockets.join(cast.carol, conversation.id);
    const { socket: actor } = await sockets.join(cast.alice, conversation.id);
    const before = await sendMessage(actor, conversation.id, 'before');
    await leaver.waitFor((f) => f.type === 'message' && f.message.id === before.id);
    frameOf(await leaver.request({ type: 'leave_conversation', conversation_id: conversation.id }), 'left');
    const countBefore = leaver.frames.length;

    const after = await sendMessage(actor, conversation.id, 'after');
    await actor.request({ type: 'edit_message', message_id: after.id, body: 'after, edited' });
    await actor.request({ type: 'react', message_id: before.id, reaction: 'laugh' });
    await actor.request({ type: 'typing', conversation_id: conversation.id, is_typing: true });
    await actor.request({ type: 'mark_read', conversation_id: conversation.id, seq: 4 });
    await stayer.waitFor((f) => f.type === 'read' && f.user_id === cast.alice.id);
    await leaver.settle();

    const later = leaver.frames.slice(countBefore).filter((f) => f.type !== 'pong');
    expect(later).toEqual([]);
    expect(changeFrames(stayer).map((f) => f.message.updated_seq)).toEqual([1, 2, 3, 4]);
  });

  it('leave: the connection may still send into the conversation (membership, not a join)', async () => {
    const conversation = await group();
    const { socket } = await sockets.join(cast.alice, conversation.id);
    await socket.request({ type: 'leave_conversation', conversation_id: conversation.id });
    const message = await sendMessage(socket, conversation.id, 'still a member');
    expect(message.seq).toBe(1);
    await socket.settle();
    expect(socket.ofType('message')).toHaveLength(0);
  });

  it("leave: ends the leaver's typing: is_typing false goes to the others", async () => {
    const conversation = await group();
    const { socket: watcher } = await sockets.join(cast.bob, conversation.id);
    const { socket: typist } = await sockets.join(cast.alice, conversation.id);
    await typist.request({ type: 'typing', conversation_id: conversation.id, is_typing: true });
    await watcher.next('typing', (f) => f.type === 'typing' && f.is_typing);
    await typist.request({ type: 'leave_conversation', conversation_id: conversation.id });
    const stopped = frameOf(await watcher.next('typing'), 'typing');
    expect(stopped).toMatchObject({
      conversation_id: conversation.id,
      user_id: cast.alice.id,
      is_typing: false,
    });
  });

  it("leave: the user's last joined connection leaving sends presence offline to the others", async () => {
    const conversation = await group();
    const { socket: watcher } = await sockets.join(cast.bob, conversation.id);
    const { socket: leaver } = await sockets.join(cast.alice, conversation.id);
    await watcher.next('presence', (f) => f.type === 'presence' && f.user_id === cast.alice.id && f.online);
    await leaver.request({ type: 'leave_conversation', conversation_id: conversation.id });
    const offline = frameOf(await watcher.next('presence'), 'presence');
    expect(offline).toEqual({
      type: 'presence',
      conversation_id: conversation.id,
      user_id: cast.alice.id,
      online: false,
    });
    const { joined } = await sockets.join(cast.carol, conversation.id);
    expect(joined.members.find((m) => m.user_id === cast.alice.id)?.online).toBe(false);
  });
});
