import { describe, expect, it } from 'vitest';
import { createConversation, newClientId } from '../support/fixtures';
import {
  broadcastMessages,
  changeFrames,
  expectGapless,
  frameOf,
  joinOn,
  sendMessage,
} from '../support/protocol';
import { useProtocolServer } from '../support/protocol-server';

// docs/protocol.md section 5, Sequence and Delivery: one counter per conversation.

// The concurrency test sends 500 messages per connection as fast as it can.
const cast = useProtocolServer({ rateLimitMessagesPerSec: 100_000, rateLimitBurst: 100_000 });
const { sockets } = cast;

const group = () => createConversation(cast.server, cast.alice, [cast.bob, cast.carol]);

describe('sequence', () => {
  it('sequence: an empty conversation has last_seq 0 and its first message gets seq 1', async () => {
    const conversation = await group();
    expect(conversation.last_seq).toBe(0);
    const { socket, joined } = await sockets.join(cast.alice, conversation.id);
    expect(joined.last_seq).toBe(0);
    const first = await sendMessage(socket, conversation.id);
    expect(first.seq).toBe(1);
    expect(first.updated_seq).toBe(1);
  });

  it('sequence: a new message gets seq = updated_seq = the next counter value', async () => {
    const conversation = await group();
    const aliceSocket = await sockets.connect(cast.alice);
    const bobSocket = await sockets.connect(cast.bob);
    const seqs: Array<[number, number]> = [];
    for (const socket of [aliceSocket, bobSocket, aliceSocket, bobSocket]) {
      const message = await sendMessage(socket, conversation.id);
      seqs.push([message.seq, message.updated_seq]);
    }
    expect(seqs).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
    ]);
    const { joined } = await sockets.join(cast.carol, conversation.id);
    expect(joined.last_seq).toBe(4);
  });

  it('sequence: each conversation has its own counter', async () => {
    const first = await group();
    const second = await group();
    const socket = await sockets.connect(cast.alice);
    expect((await sendMessage(socket, first.id)).seq).toBe(1);
    expect((await sendMessage(socket, first.id)).seq).toBe(2);
    expect((await sendMessage(socket, second.id)).seq).toBe(1);
    expect((await sendMessage(socket, first.id)).seq).toBe(3);
  });

  it("sequence: an edit, a delete and a reaction each take the next value and set the message's updated_seq, its seq kept", async () => {
    const conversation = await group();
    const { socket } = await sockets.join(cast.alice, conversation.id);
    const bobSocket = await sockets.connect(cast.bob);
    const a = await sendMessage(socket, conversation.id, 'a'); // 1
    const b = await sendMessage(socket, conversation.id, 'b'); // 2
    await socket.request({ type: 'edit_message', message_id: a.id, body: 'a2' }); // 3
    await bobSocket.request({ type: 'react', message_id: b.id, reaction: 'like' }); // 4
    await socket.request({ type: 'delete_message', message_id: b.id }); // 5
    await bobSocket.request({ type: 'react', message_id: a.id, reaction: 'love' }); // 6
    await bobSocket.request({ type: 'react', message_id: a.id, reaction: null }); // 7
    const c = await sendMessage(socket, conversation.id, 'c');
    expect(c.seq).toBe(8);

    const updates = await socket.collect('message_updated', 5);
    expect(updates.map((f) => [f.message.id, f.message.seq, f.message.updated_seq, f.change])).toEqual([
      [a.id, 1, 3, 'edited'],
      [b.id, 2, 4, 'reaction'],
      [b.id, 2, 5, 'deleted'],
      [a.id, 1, 6, 'reaction'],
      [a.id, 1, 7, 'reaction'],
    ]);
    const joined = await joinOn(await sockets.connect(cast.carol), conversation.id, 0);
    expect(joined.last_seq).toBe(8);
    expect(joined.messages.map((m) => [m.seq, m.updated_seq])).toEqual([
      [2, 5],
      [1, 7],
      [8, 8],
    ]);
  });

  it('sequence: a change that changes nothing (the same reaction again) takes no value, broadcasts nothing, and acks its ref', async () => {
    const conversation = await group();
    const { socket: observer } = await sockets.join(cast.carol, conversation.id);
    const { socket } = await sockets.join(cast.alice, conversation.id);
    const message = await sendMessage(socket, conversation.id); // 1
    const first = await socket.request({ type: 'react', message_id: message.id, reaction: 'laugh' }); // 2
    expect(first).toEqual({ type: 'ack', ref: first.ref });
    await observer.collect('message_updated', 1);

    const again = await socket.request({ type: 'react', message_id: message.id, reaction: 'laugh' });
    expect(again).toEqual({ type: 'ack', ref: again.ref });
    // Removing a reaction the user does not hold changes nothing either.
    const bobSocket = await sockets.connect(cast.bob);
    const removeNone = await bobSocket.request({ type: 'react', message_id: message.id, reaction: null });
    expect(removeNone).toEqual({ type: 'ack', ref: removeNone.ref });

    await Promise.all([observer.settle(), socket.settle()]);
    expect(observer.ofType('message_updated')).toHaveLength(1);
    expect(socket.ofType('message_updated')).toHaveLength(1);
    const next = await sendMessage(socket, conversation.id);
    expect(next.seq).toBe(3);
  });

  it('sequence: delivery is in strictly increasing updated_seq order with no gap to every joined connection, own changes included', async () => {
    const conversation = await group();
    const { socket: aliceSocket } = await sockets.join(cast.alice, conversation.id);
    const { socket: bobSocket } = await sockets.join(cast.bob, conversation.id);
    const { socket: carolSocket } = await sockets.join(cast.carol, conversation.id);
    // Changes of every kind from three connections, pipelined without waiting.
    const first = await sendMessage(aliceSocket, conversation.id, 'first');
    const pending: Array<Promise<unknown>> = [];
    for (let i = 0; i < 30; i++) {
      pending.push(sendMessage(aliceSocket, conversation.id, `a${i}`));
      pending.push(sendMessage(bobSocket, conversation.id, `b${i}`));
      pending.push(
        carolSocket.request({
          type: 'react',
          message_id: first.id,
          reaction: ['love', 'like', 'laugh'][i % 3],
        }),
      );
      if (i < 5)
        pending.push(aliceSocket.request({ type: 'edit_message', message_id: first.id, body: `e${i}` }));
    }
    await Promise.all(pending);
    const total = 1 + 30 + 30 + 30 + 5;
    const orders = [];
    for (const socket of [aliceSocket, bobSocket, carolSocket]) {
      await socket.waitFor(() => changeFrames(socket).length >= total);
      await socket.settle();
      const seqs = changeFrames(socket).map((f) => f.message.updated_seq);
      expectGapless(seqs, 0);
      orders.push(seqs);
    }
    expect(orders[1]).toEqual(orders[0]);
    expect(orders[2]).toEqual(orders[0]);
  });

  it('sequence: two connections sending 500 messages each concurrently: every joined connection sees 1000 messages with gapless, strictly increasing updated_seq, all in the same order', async () => {
    const conversation = await group();
    const { socket: aliceSocket } = await sockets.join(cast.alice, conversation.id);
    const { socket: bobSocket } = await sockets.join(cast.bob, conversation.id);
    const { socket: carolSocket } = await sockets.join(cast.carol, conversation.id);
    const perSender = 500;
    const total = 2 * perSender;
    // Both senders pipeline their frames without waiting for acks.
    for (let i = 0; i < perSender; i++) {
      for (const [socket, name] of [
        [aliceSocket, 'alice'],
        [bobSocket, 'bob'],
      ] as const) {
        socket.send({
          type: 'send_message',
          conversation_id: conversation.id,
          client_id: newClientId(),
          body: `${name} ${i}`,
        });
      }
    }
    await Promise.all([
      aliceSocket.collect('message_ack', perSender, 60_000),
      bobSocket.collect('message_ack', perSender, 60_000),
    ]);
    const orders: string[][] = [];
    for (const socket of [aliceSocket, bobSocket, carolSocket]) {
      const frames = await socket.collect('message', total, 60_000);
      await socket.settle();
      expect(socket.ofType('error')).toEqual([]);
      const messages = broadcastMessages(socket);
      expect(messages).toHaveLength(total);
      expectGapless(
        messages.map((m) => m.updated_seq),
        0,
      );
      expect(messages.every((m) => m.seq === m.updated_seq)).toBe(true);
      orders.push(frames.map((f) => f.message.id));
    }
    expect(new Set(orders[0]).size).toBe(total);
    expect(orders[1]).toEqual(orders[0]);
    expect(orders[2]).toEqual(orders[0]);
    // Each sender's messages keep the order they were sent in.
    const bodies = broadcastMessages(carolSocket).map((m) => m.body);
    for (const name of ['alice', 'bob']) {
      const own = bodies.filter((body) => body.startsWith(`${name} `));
      expect(own).toEqual(Array.from({ length: perSender }, (_, i) => `${name} ${i}`));
    }
    // The acks agree with what was broadcast.
    const acked = new Map(
      [...aliceSocket.ofType('message_ack'), ...bobSocket.ofType('message_ack')].map((f) => [
        f.message.id,
        f.message.seq,
      ]),
    );
    expect(acked.size).toBe(total);
    for (const message of broadcastMessages(carolSocket)) expect(acked.get(message.id)).toBe(message.seq);
  });
});

describe('pong', () => {
  it('pong: server_time is ISO 8601 with three fraction digits, as Date.toISOString() writes it', async () => {
    const socket = await sockets.connect(cast.alice);
    const before = Date.now();
    const pong = frameOf(await socket.request({ type: 'ping' }), 'pong');
    const after = Date.now();
    expect(pong.server_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(new Date(pong.server_time).toISOString()).toBe(pong.server_time);
    // Loopback: the server's clock is this process's clock.
    expect(Date.parse(pong.server_time)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(pong.server_time)).toBeLessThanOrEqual(after + 1000);
  });

  it('pong: a ping without a ref still gets pong, with no ref field', async () => {
    const socket = await sockets.connect(cast.alice);
    socket.send({ type: 'ping' });
    const pong = frameOf(await socket.next('pong'), 'pong');
    expect('ref' in pong).toBe(false);
    expect(typeof pong.server_time).toBe('string');
  });
});
