import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Message } from '@chat/protocol';
import { ChatError } from '../src/index';
import type { ChatClient, ChatClientOptions } from '../src/index';
import { Clients, recordingWebSocket } from './support/clients';
import { startServer } from './support/chat-server';
import { createConversation, createUser, until } from './support/fixtures';
import type { TestServer } from './support/chat-server';
import type { TestUser } from './support/fixtures';
import { ManualClock } from '@chat/testkit';

let server: TestServer;
const clients = new Clients();

beforeAll(async () => {
  // A short server-side typing expiry, to prove the client's refresh keeps typing alive.
  server = await startServer({ typingTimeoutMs: 1_500 });
});
afterEach(() => clients.stopAll());
afterAll(async () => {
  await server.dispose();
});

interface Pair {
  alice: TestUser;
  bob: TestUser;
  a: ChatClient;
  b: ChatClient;
  conversationId: string;
}

/** Alice and Bob, each with a started client joined to their 1:1. */
async function pair(aOptions: Partial<ChatClientOptions> = {}): Promise<Pair> {
  const alice = await createUser(server.server, 'Alice');
  const bob = await createUser(server.server, 'Bob');
  const conversation = await createConversation(server.server, alice, [bob]);
  const typing = { refreshMs: 300 };
  const a = clients.make(server, alice, { typing, ...aOptions });
  const b = clients.make(server, bob, { typing });
  for (const client of [a, b]) {
    client.start();
    client.join(conversation.id);
  }
  await until(
    () => a.getConversation(conversation.id).joined && b.getConversation(conversation.id).joined,
    'both joined',
  );
  return { alice, bob, a, b, conversationId: conversation.id };
}

async function sendAndWait(client: ChatClient, conversationId: string, body: string): Promise<Message> {
  const pending = client.send(conversationId, body);
  await until(() => client.getConversation(conversationId).pending.length === 0, 'the ack');
  return client.getConversation(conversationId).messages.find((m) => m.client_id === pending.client_id)!;
}

describe('messages', () => {
  test('send and receive: pending until acked, then one message on both sides', async () => {
    const { a, b, alice, conversationId } = await pair();
    const heard: Message[] = [];
    b.on('message', (message) => heard.push(message));
    const pending = a.send(conversationId, 'hello Bob');
    expect(pending).toMatchObject({ conversation_id: conversationId, body: 'hello Bob', state: 'sending' });
    expect(a.getConversation(conversationId).pending).toEqual([pending]);
    await until(() => b.getConversation(conversationId).messages.length === 1, 'delivery');
    await until(() => a.getConversation(conversationId).pending.length === 0, 'the ack');
    const [onA] = a.getConversation(conversationId).messages;
    const [onB] = b.getConversation(conversationId).messages;
    expect(onB).toEqual(onA);
    expect(onB).toMatchObject({
      body: 'hello Bob',
      sender_id: alice.id,
      client_id: pending.client_id,
      seq: 1,
    });
    expect(heard.map((message) => message.body)).toEqual(['hello Bob']);
  });

  test('replies carry reply_to; an invalid reply_to fails the send, which can be discarded', async () => {
    const { a, b, conversationId } = await pair();
    const first = await sendAndWait(a, conversationId, 'question?');
    b.send(conversationId, 'answer', { replyTo: first.id });
    await until(() => a.getConversation(conversationId).messages.length === 2, 'the reply');
    expect(a.getConversation(conversationId).messages[1]).toMatchObject({
      body: 'answer',
      reply_to: first.id,
    });

    const bad = a.send(conversationId, 'to nowhere', { replyTo: randomUUID() });
    await until(() => a.getConversation(conversationId).pending[0]?.state === 'failed', 'the refusal');
    expect(a.getConversation(conversationId).pending[0]).toMatchObject({
      client_id: bad.client_id,
      error: { code: 'bad_request' },
    });
    a.retry(bad.client_id); // same client_id again: refused again
    await until(() => a.getConversation(conversationId).pending[0]?.state === 'failed', 'refused again');
    a.discard(bad.client_id);
    expect(a.getConversation(conversationId).pending).toEqual([]);
  });

  test('a body the server would refuse is refused at once', async () => {
    const { a, conversationId } = await pair();
    expect(() => a.send(conversationId, '   ')).toThrow(ChatError);
  });

  test("a conversation's view keeps its identity while other conversations change", async () => {
    const { a, b, alice, bob, conversationId } = await pair();
    const carol = await createUser(server.server, 'Carol');
    const group = await createConversation(server.server, alice, [bob, carol]);
    a.join(group.id);
    b.join(group.id);
    await until(() => a.getConversation(group.id).joined && b.getConversation(group.id).joined, 'joined');
    const before = a.getConversation(conversationId);
    await sendAndWait(b, group.id, 'elsewhere');
    await until(() => a.getConversation(group.id).messages.length === 1, 'the other conversation');
    expect(a.getConversation(conversationId)).toBe(before);
    await sendAndWait(b, conversationId, 'here');
    await until(() => a.getConversation(conversationId) !== before, 'a new snapshot');
  });
});

describe('typing', () => {
  test('on and off, refreshed while it stays on', async () => {
    const alice = await createUser(server.server, 'Alice');
    const bob = await createUser(server.server, 'Bob');
    const carol = await createUser(server.server, 'Carol');
    const group = await createConversation(server.server, alice, [bob, carol]);
    const a = clients.make(server, alice, { typing: { refreshMs: 300 } });
    const b = clients.make(server, bob);
    // Carol is the control: her clock stands still, so her typing is never refreshed.
    const c = clients.make(server, carol, { typing: { refreshMs: 300 }, clock: new ManualClock() });
    for (const client of [a, b, c]) {
      client.start();
      client.join(group.id);
    }
    await until(() => [a, b, c].every((client) => client.getConversation(group.id).joined), 'all joined');
    const typists = () => b.getConversation(group.id).typingUserIds;

    a.setTyping(group.id, true);
    await until(() => typists().includes(alice.id), 'alice typing');
    let aliceDropped = false;
    const unsubscribe = b.subscribe(() => {
      if (!typists().includes(alice.id)) aliceDropped = true;
    });
    // The server forgets a typist 1.5 s after the last news. Carol types after Alice began, and
    // is left to be forgotten, twice over: an unrefreshed (or once-refreshed) Alice would be
    // forgotten before Carol is the second time.
    for (const round of [1, 2]) {
      c.setTyping(group.id, true);
      await until(() => typists().includes(carol.id), `carol typing (${round})`);
      await until(() => !typists().includes(carol.id), `the server to forget carol (${round})`, 10_000);
      // Her client still counts her as typing (its refresh never ran): end that, so that the next
      // round starts anew. The server, which already forgot her, announces nothing for it.
      c.setTyping(group.id, false);
    }
    unsubscribe();
    expect(aliceDropped).toBe(false);
    expect(typists()).toEqual([alice.id]);
    expect(a.getConversation(group.id).typingUserIds).not.toContain(alice.id); // never the user
    a.setTyping(group.id, false);
    await until(() => typists().length === 0, 'typing off');
  });

  test('sending a message ends typing', async () => {
    const { a, b, alice, conversationId } = await pair();
    a.setTyping(conversationId, true);
    await until(() => b.getConversation(conversationId).typingUserIds.includes(alice.id), 'typing on');
    a.send(conversationId, 'done typing');
    await until(() => b.getConversation(conversationId).messages.length === 1, 'the message');
    expect(b.getConversation(conversationId).typingUserIds).toEqual([]);
  });
});

describe('read receipts and presence', () => {
  test("markRead moves the reader's read_seq on both sides", async () => {
    const { a, b, bob, conversationId } = await pair();
    await sendAndWait(a, conversationId, 'one');
    const second = await sendAndWait(a, conversationId, 'two');
    await until(() => b.getConversation(conversationId).messages.length === 2, 'delivery');
    await b.markRead(conversationId, second.seq);
    const readSeqOfBob = (client: ChatClient) =>
      client.getConversation(conversationId).members.find((member) => member.user_id === bob.id)?.read_seq;
    await until(() => readSeqOfBob(a) === second.seq && readSeqOfBob(b) === second.seq, 'the read');
    await b.markRead(conversationId, 1); // already read that far: resolves, changes nothing
    expect(readSeqOfBob(a)).toBe(second.seq);
  });

  test('members are online while joined', async () => {
    const { a, b, bob, conversationId } = await pair();
    const bobOnline = () =>
      a.getConversation(conversationId).members.find((member) => member.user_id === bob.id)?.online;
    await until(() => bobOnline() === true, 'bob online');
    b.leave(conversationId);
    await until(() => bobOnline() === false, 'bob offline');
  });
});

describe('edit, unsend, react', () => {
  test('each resolves on its ack and reaches the other side as message_updated', async () => {
    const { a, b, alice, bob, conversationId } = await pair();
    const message = await sendAndWait(a, conversationId, 'typo');
    const onB = () => b.getConversation(conversationId).messages[0];
    await until(() => onB() !== undefined, 'delivery');

    await a.edit(message.id, 'fixed');
    await until(() => onB()?.body === 'fixed', 'the edit');
    expect(onB()?.edited_at).not.toBeNull();

    await b.react(message.id, 'love');
    await until(() => a.getConversation(conversationId).messages[0]?.reactions.love?.[0] === bob.id, 'love');
    await b.react(message.id, null);
    await until(
      () => Object.keys(a.getConversation(conversationId).messages[0]!.reactions).length === 0,
      'none',
    );

    await a.unsend(message.id);
    await until(() => onB()?.deleted_at !== null && onB()?.body === '', 'the unsend');
    expect(b.getConversation(conversationId).messages).toHaveLength(1);
    expect(onB()).toMatchObject({ id: message.id, sender_id: alice.id });
  });

  test('a refusal rejects with a ChatError carrying the code', async () => {
    const { a, b, conversationId } = await pair();
    const message = await sendAndWait(a, conversationId, 'mine');
    await expect(b.edit(message.id, 'not yours')).rejects.toMatchObject({ code: 'forbidden' });
    await expect(a.react(randomUUID(), 'like')).rejects.toBeInstanceOf(ChatError);
    await expect(a.react(randomUUID(), 'like')).rejects.toMatchObject({ code: 'not_found' });
  });

  test('requests while not connected reject at once with a retryable `disconnected`', async () => {
    const alice = await createUser(server.server, 'Alice');
    const idle = clients.make(server, alice);
    const error = await idle.edit(randomUUID(), 'body').catch((caught: ChatError) => caught);
    expect(error).toMatchObject({ code: 'disconnected', retryable: true });
  });
});

describe('joining', () => {
  test('a refused join shows its error on the view', async () => {
    const alice = await createUser(server.server, 'Alice');
    const a = clients.make(server, alice);
    a.start();
    const missing = randomUUID();
    a.join(missing);
    await until(() => a.getConversation(missing).error !== null, 'the refusal');
    expect(a.getConversation(missing)).toMatchObject({ joined: false, error: { code: 'not_found' } });
  });

  test('join and leave are counted: joined until the last holder leaves', async () => {
    const { a, b, conversationId } = await pair();
    a.join(conversationId); // a second holder
    a.leave(conversationId);
    await sendAndWait(b, conversationId, 'still joined');
    await until(() => a.getConversation(conversationId).messages.length === 1, 'delivery');
    a.leave(conversationId);
    expect(a.getConversation(conversationId).joined).toBe(false);
  });

  test('loadOlder pages older history in before the window', async () => {
    const recording = recordingWebSocket();
    const { a, bob, conversationId } = await pair({ WebSocket: recording.WebSocket });
    // 60 sends at once: past the server's burst of 50, so some are refused as
    // rate_limited and resent after retry_after_ms, in order, none failed.
    for (let index = 0; index < 60; index++) a.send(conversationId, `message ${index}`);
    await until(() => a.getConversation(conversationId).pending.length === 0, 'acks', 20_000);
    const sent = a.getConversation(conversationId).messages.map((message) => message.body);
    expect(sent).toEqual(Array.from({ length: 60 }, (_, index) => `message ${index}`));
    expect(recording.sent.filter((frame) => frame.type === 'send_message').length).toBeGreaterThan(60);

    const fresh = clients.make(server, bob);
    fresh.start();
    fresh.join(conversationId);
    await until(() => fresh.getConversation(conversationId).joined, 'joined');
    expect(fresh.getConversation(conversationId).messages).toHaveLength(50);
    expect(fresh.getConversation(conversationId).hasMoreBefore).toBe(true);
    await fresh.loadOlder(conversationId);
    const view = fresh.getConversation(conversationId);
    expect(view.messages.map((message) => message.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(view.hasMoreBefore).toBe(false);
  });
});

describe('the conversation list', () => {
  test('loads, then stays live: new conversations, last message, unread count, reads', async () => {
    const alice = await createUser(server.server, 'Alice');
    const bob = await createUser(server.server, 'Bob');
    const carol = await createUser(server.server, 'Carol');
    const older = await createConversation(server.server, bob, [carol]);
    const a = clients.make(server, alice);
    const b = clients.make(server, bob);
    a.start();
    b.start();
    const unwatch = b.watchConversations();
    await until(() => b.conversationsLoaded && b.status === 'open', 'the list');
    expect(b.getConversations().map((item) => item.id)).toEqual([older.id]);
    const listed = b.getConversations();
    expect(b.getConversations()).toBe(listed);

    // A conversation made by someone else arrives as a `conversation` frame, and is joined.
    const fresh = await createConversation(server.server, alice, [bob]);
    await until(() => b.getConversations()[0]?.id === fresh.id, 'the new conversation');
    await until(() => b.getConversation(fresh.id).joined, 'joined by the list');

    a.send(fresh.id, 'hi Bob');
    a.send(fresh.id, 'are you there?');
    await until(() => b.getConversations()[0]?.unread_count === 2, 'two unread');
    expect(b.getConversations()[0]).toMatchObject({
      id: fresh.id,
      last_message: { body: 'are you there?' },
      last_seq: 2,
    });
    await b.markRead(fresh.id, 2);
    await until(() => b.getConversations()[0]?.unread_count === 0, 'read');

    // Activity moves a conversation to the top.
    b.send(older.id, 'bump');
    await until(() => b.getConversations()[0]?.id === older.id, 'bumped');
    expect(b.getConversations()[0]?.unread_count).toBe(0); // the user's own message

    unwatch();
    expect(b.getConversation(fresh.id).joined).toBe(false);
  });
});

describe('REST helpers', () => {
  test('me, user search, conversation creation; errors are ChatErrors', async () => {
    const alice = await createUser(server.server, 'Alice');
    const zelda = await createUser(server.server, `Zelda${Date.now()}`);
    const a = clients.make(server, alice);
    expect(await a.api.me()).toMatchObject({ id: alice.id, display_name: 'Alice' });
    const found = await a.api.searchUsers(zelda.displayName.slice(0, 9));
    expect(found.map((user) => user.id)).toContain(zelda.id);
    const conversation = await a.api.createConversation([zelda.id]);
    expect(conversation).toMatchObject({ is_group: false, last_message: null });
    expect((await a.api.createConversation([zelda.id])).id).toBe(conversation.id);
    await expect(a.api.createConversation([randomUUID()])).rejects.toMatchObject({ code: 'not_found' });
    const signedOut = clients.make(server, alice, { getToken: async () => null });
    await expect(signedOut.api.me()).rejects.toMatchObject({ code: 'unauthorized' });
  });
});
