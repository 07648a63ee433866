import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import type { Conversation } from '@chat/protocol';
import type { ChatClient } from '../src/index';
import { Clients, recordingWebSocket } from './support/clients';
import { startServer } from './support/chat-server';
import { createConversation, createUser, until } from './support/fixtures';
import type { TestServer } from './support/chat-server';
import type { TestUser } from './support/fixtures';

let server: TestServer;
const clients = new Clients();

beforeAll(async () => {
  server = await startServer({ rateLimitBurst: 500, rateLimitMessagesPerSec: 500 });
});
afterEach(() => clients.stopAll());
afterAll(async () => {
  await server.dispose();
});

/** A started client watching its list (as the web app's list screen does), once loaded. */
async function watching(user: TestUser, options: Parameters<Clients['make']>[2] = {}): Promise<ChatClient> {
  const client = clients.make(server, user, options);
  client.start();
  client.watchConversations();
  await until(() => client.conversationsLoaded, `${user.displayName}'s list`);
  return client;
}

function entry(client: ChatClient, conversationId: string): Conversation | undefined {
  return client.getConversations().find((c) => c.id === conversationId);
}

async function group(names: string[]) {
  const users = await Promise.all(names.map((name) => createUser(server.server, name)));
  const [owner, ...others] = users as [TestUser, ...TestUser[]];
  const conversation = await createConversation(server.server, owner, others, 'Team');
  const watchers = await Promise.all(users.map((user) => watching(user)));
  for (const client of watchers) {
    await until(() => client.getConversation(conversation.id).joined, 'joined');
  }
  return { users, clients: watchers, id: conversation.id };
}

describe('groups', () => {
  test('a rename is a system message in every store, never unread, and the new title in every list', async () => {
    const {
      clients: [a, b],
      id,
    } = await group(['Ada', 'Bob', 'Cy']);
    await a!.rename(id, 'Trip');
    for (const client of [a!, b!]) {
      await until(() => entry(client, id)?.title === 'Trip', 'the new title');
      await until(() => client.getConversation(id).messages.length === 1, 'the system message');
      const [line] = client.getConversation(id).messages;
      expect(line).toMatchObject({
        kind: 'system',
        client_id: null,
        event: { type: 'renamed', title: 'Trip' },
      });
    }
    expect(entry(b!, id)?.unread_count).toBe(0);
    expect(entry(b!, id)?.last_message?.kind).toBe('system');
  });

  test('people added appear in every member store and the new member’s list; a removed member loses it', async () => {
    const {
      users,
      clients: [a, b, c],
      id,
    } = await group(['Ada', 'Bob', 'Cy']);
    const dee = await createUser(server.server, 'Dee');
    const d = await watching(dee);
    await a!.addMembers(id, [dee.id]);
    await until(() => entry(d, id) !== undefined, "Dee's list");
    await until(() => d.getConversation(id).joined, 'Dee joined');
    await until(() => b!.getConversation(id).members.some((m) => m.user_id === dee.id), 'Dee in Bob’s store');
    expect(d.getConversation(id).messages.map((m) => m.event?.type)).toEqual(['members_added']);

    const removed: string[] = [];
    c!.on('conversation_removed', (conversationId) => removed.push(conversationId));
    await a!.removeMember(id, users[2]!.id);
    await until(() => entry(c!, id) === undefined, 'Cy’s list without it');
    expect(removed).toEqual([id]);
    const view = c!.getConversation(id);
    expect(view.messages).toEqual([]);
    expect(view.joined).toBe(false);
    expect(view.error?.code).toBe('forbidden');
    await until(() => !b!.getConversation(id).members.some((m) => m.user_id === users[2]!.id), 'Cy gone');
    await until(() => b!.getConversation(id).messages.at(-1)?.event?.type === 'member_removed', 'the line');

    // A screen kept open on it (a join refused) joins again when Cy is added back.
    c!.join(id);
    await until(() => c!.getConversation(id).error !== null, 'refused');
    await a!.addMembers(id, [users[2]!.id]);
    await until(() => c!.getConversation(id).joined, 'joined again');
    expect(c!.getConversation(id).error).toBeNull();
    expect(c!.getConversation(id).messages.at(-1)?.event?.type).toBe('members_added');
  });

  test('a group made while the page opens (list read, socket not yet signed in) is in the list', async () => {
    const [ada, bob] = await Promise.all([
      createUser(server.server, 'Ada'),
      createUser(server.server, 'Bob'),
    ]);
    // The socket's authenticate frame waits until released: the list is read over REST first.
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    class HeldWebSocket extends WebSocket {
      override send(data: string): void {
        void released.then(() => super.send(data));
      }
    }
    const client = clients.make(server, bob, { WebSocket: HeldWebSocket });
    client.start();
    client.watchConversations();
    await until(() => client.conversationsLoaded, "Bob's list");
    const made = await createConversation(server.server, ada, [bob], 'Made meanwhile');
    expect(entry(client, made.id)).toBeUndefined(); // its frame went to no socket of Bob's
    release();
    await until(() => entry(client, made.id) !== undefined, 'the group in the list');
    await until(() => client.getConversation(made.id).joined, 'joined');
  });

  test('leaving drops the group on every device of the leaver, and is never rejoined after a reconnect', async () => {
    const {
      users,
      clients: [a, b],
      id,
    } = await group(['Ada', 'Bob', 'Cy']);
    const recorder = recordingWebSocket();
    const bOther = await watching(users[1]!, { WebSocket: recorder.WebSocket });
    await until(() => bOther.getConversation(id).joined, 'second device joined');
    await b!.leaveGroup(id);
    expect(entry(b!, id)).toBeUndefined();
    await until(() => entry(bOther, id) === undefined, 'the other device follows');
    await until(() => a!.getConversation(id).messages.at(-1)?.event?.type === 'member_left', 'Ada sees it');

    // A new socket joins everything held again: not this one.
    recorder.sent.length = 0;
    for (const socket of recorder.sockets) socket.terminate();
    await until(() => recorder.sent.some((f) => f.type === 'authenticate'), 'a reconnect');
    await until(() => bOther.status === 'open', 'open again');
    await until(() => bOther.conversationsLoaded && entry(bOther, id) === undefined, 'list reloaded');
    expect(recorder.sent.filter((f) => f.type === 'join_conversation' && f.conversation_id === id)).toEqual(
      [],
    );
  });

  test('roles: an admin makes someone admin; every store has the new role', async () => {
    const {
      users,
      clients: [a, b],
      id,
    } = await group(['Ada', 'Bob', 'Cy']);
    await a!.changeRole(id, users[1]!.id, 'admin');
    await until(
      () => b!.getConversation(id).members.find((m) => m.user_id === users[1]!.id)?.role === 'admin',
      'Bob admin',
    );
    expect(b!.getConversation(id).messages.at(-1)?.event).toEqual({
      type: 'role_changed',
      user_id: users[1]!.id,
      role: 'admin',
    });
  });
});

describe('settings', () => {
  test('pin, mute and archive follow to the user’s other device, and nobody else’s', async () => {
    const ada = await createUser(server.server, 'Ada');
    const bob = await createUser(server.server, 'Bob');
    const first = await createConversation(server.server, ada, [bob]);
    const cy = await createUser(server.server, 'Cy');
    const second = await createConversation(server.server, ada, [cy]);
    const a = await watching(ada);
    const a2 = await watching(ada);
    const b = await watching(bob);
    // `second` is newer: first in the list until `first` is pinned.
    expect(a2.getConversations().map((c) => c.id)).toEqual([second.id, first.id]);
    const until2030 = '2030-01-01T00:00:00.000Z';
    await a.updateSettings(first.id, { pinned: true, muted_until: until2030 });
    expect(a.getConversations()[0]?.id).toBe(first.id); // at once, from the answer
    await until(() => a2.getConversations()[0]?.id === first.id, 'pinned on the other device');
    expect(entry(a2, first.id)?.settings).toMatchObject({ pinned: true, archived: false });
    expect(Date.parse(entry(a2, first.id)!.settings.muted_until!)).toBe(Date.parse(until2030));
    await a.updateSettings(second.id, { archived: true });
    await until(() => entry(a2, second.id)?.settings.archived === true, 'archived on the other device');
    // Bob's view of the same conversation is his own.
    expect(entry(b, first.id)?.settings).toEqual({ muted_until: null, archived: false, pinned: false });
  });
});

describe('mentions', () => {
  test('sent with the message (from the outbox too), counted as unread mentions, cleared by reading', async () => {
    const ada = await createUser(server.server, 'Ada');
    const bob = await createUser(server.server, 'Bob');
    const cy = await createUser(server.server, 'Cy');
    const { id } = await createConversation(server.server, ada, [bob, cy], 'Team');
    const recorder = recordingWebSocket();
    const a = clients.make(server, ada, { WebSocket: recorder.WebSocket });
    const b = await watching(bob);
    // Written while not connected: it goes out from the outbox, mentions included.
    a.send(id, '@Bob lunch?', { mentions: [bob.id] });
    a.start();
    a.send(id, 'and everyone else');
    await until(() => entry(b, id)?.unread_count === 2, 'two unread');
    expect(entry(b, id)?.unread_mentions).toBe(1);
    const sends = recorder.sent.filter((f) => f.type === 'send_message');
    expect(sends.map((f) => f.mentions)).toEqual([[bob.id], undefined]);
    await until(() => b.getConversation(id).messages.length === 2, 'both held');
    expect(b.getConversation(id).messages[0]?.mentions).toEqual([bob.id]);
    await b.markRead(id, b.getConversation(id).lastSeq);
    await until(() => entry(b, id)?.unread_mentions === 0, 'read');
    expect(() =>
      a.send(id, 'too many', { mentions: Array.from({ length: 51 }, () => crypto.randomUUID()) }),
    ).toThrow(/mentions/);
  });
});

describe('search', () => {
  test('finds messages with the ranges of the words; loadUntil brings the history down to one', async () => {
    const ada = await createUser(server.server, 'Ada');
    const bob = await createUser(server.server, 'Bob');
    const { id } = await createConversation(server.server, ada, [bob]);
    const a = await watching(ada);
    await until(() => a.getConversation(id).joined, 'joined');
    a.send(id, 'The café opens at nine');
    for (let i = 0; i < 69; i++) a.send(id, `filler ${i}`);
    await until(() => a.getConversation(id).pending.length === 0, 'all acked');
    const page = await a.search('CAFE');
    expect(page.results).toHaveLength(1);
    expect(page.results[0]).toMatchObject({ conversation_id: id, matches: [[4, 8]] });
    const target = page.results[0]!.message;

    // A fresh window: the newest 50, then down to the found message without a gap.
    const fresh = await watching(ada);
    await until(() => fresh.getConversation(id).joined, 'joined');
    expect(fresh.getConversation(id).messages[0]!.seq).toBeGreaterThan(target.seq);
    await fresh.loadUntil(id, target.seq);
    const seqs = fresh.getConversation(id).messages.map((m) => m.seq);
    expect(seqs[0]).toBe(1);
    expect(seqs).toEqual(Array.from({ length: 70 }, (_, i) => i + 1));
  });
});
