import { randomUUID } from 'node:crypto';
import type { Conversation, Message, User } from '@chat/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, createConversation, createUser, type TestUser } from '../support/fixtures';
import { sendMany, sendMessage, SocketScope } from '../support/protocol';
import { useProtocolServer } from '../support/protocol-server';
import { signTestToken } from '../support/tokens';

// docs/protocol.md section 7: the REST API under /api (the auth API has its own suite).

// The history tests fill a conversation with 120 messages from one connection.
const cast = useProtocolServer({ rateLimitMessagesPerSec: 10_000, rateLimitBurst: 10_000 });
const { sockets } = cast;

async function json<T>(response: Response, status: number): Promise<T> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return JSON.parse(text) as T;
}

/** Every REST error: `{error:{code, message}}` with the matching status, nothing else. */
async function expectErrorResponse(response: Response, status: number, code: string): Promise<void> {
  const body = await json<{ error: { code: string; message: string } }>(response, status);
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
}

const get = (user: TestUser, path: string) => api(cast.server, user.token, 'GET', path);

async function searchUsers(user: TestUser, query: string): Promise<User[]> {
  return (
    await json<{ users: User[] }>(await get(user, `/api/users?query=${encodeURIComponent(query)}`), 200)
  ).users;
}

async function conversationsOf(user: TestUser): Promise<Conversation[]> {
  return (await json<{ conversations: Conversation[] }>(await get(user, '/api/conversations'), 200))
    .conversations;
}

function post(user: TestUser, body: unknown) {
  return api(cast.server, user.token, 'POST', '/api/conversations', body);
}

async function history(user: TestUser, conversationId: string, query = '') {
  const response = await get(user, `/api/conversations/${conversationId}/messages${query}`);
  return json<{ messages: Message[]; has_more: boolean }>(response, 200);
}

/** A random lower-case word, so searches see only this test's users. */
const tag = () =>
  Array.from({ length: 8 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');
const capitalised = (word: string) => word[0]!.toUpperCase() + word.slice(1);

/** Created-at times have millisecond resolution: let the clock move on between creations. */
const nextMillisecond = () => new Promise((resolve) => setTimeout(resolve, 3));

describe('GET /api/me', () => {
  it("GET /api/me: returns {user} with the bearer's id, email and display_name", async () => {
    const body = await json<{ user: User }>(await get(cast.alice, '/api/me'), 200);
    expect(body).toEqual({
      user: { id: cast.alice.id, email: cast.alice.email, display_name: 'Alice', is_agent: false },
    });
  });
});

describe('GET /api/users', () => {
  it('GET /api/users (v2): query matches a prefix of the display name; e-mails hidden unless the query is a prefix of them', async () => {
    const word = tag();
    const [first, second] = await Promise.all([
      createUser(cast.server, `${capitalised(word)} One`, { email: `a.${word}@example.test` }),
      createUser(cast.server, `${capitalised(word)}ster Two`, { email: `b.${word}@example.test` }),
    ]);
    const found = await searchUsers(cast.alice, capitalised(word).slice(0, 5));
    expect(found.map((u) => u.id).sort()).toEqual([first!.id, second!.id].sort());
    expect(found.find((u) => u.id === first!.id)).toEqual({
      id: first!.id,
      email: null,
      display_name: `${capitalised(word)} One`,
      is_agent: false,
    });
    // A piece from the middle of the name is no prefix.
    expect(await searchUsers(cast.alice, word.slice(2))).toEqual([]);
  });

  it('GET /api/users: query matches a prefix of the email', async () => {
    const word = tag();
    const user = await createUser(cast.server, 'Plain Name', { email: `${word}.mail@example.test` });
    const found = await searchUsers(cast.alice, word.slice(0, 6));
    expect(found.map((u) => u.id)).toEqual([user.id]);
    expect(await searchUsers(cast.alice, `${word}.mail@`)).toEqual([
      { id: user.id, email: user.email, display_name: 'Plain Name', is_agent: false },
    ]);
  });

  it('GET /api/users (v2): an empty query finds no one', async () => {
    await createUser(cast.server, 'Someone Listed');
    expect(await searchUsers(cast.alice, '')).toEqual([]);
    expect(await searchUsers(cast.alice, '   ')).toEqual([]);
  });

  it('GET /api/users (v2): an e-mail is shown to a query that is a prefix of it, whatever its case', async () => {
    const word = tag();
    const user = await createUser(cast.server, `${capitalised(word)} Cased`, {
      email: `mail.${word}@example.test`,
    });
    const [byName] = await searchUsers(cast.alice, capitalised(word));
    expect(byName).toMatchObject({ id: user.id, email: null });
    const [byMail] = await searchUsers(cast.alice, `MAIL.${word.toUpperCase()}`);
    expect(byMail).toMatchObject({ id: user.id, email: user.email });
  });

  it('GET /api/users: the caller is left out', async () => {
    const word = tag();
    const [me, other] = await Promise.all([
      createUser(cast.server, `${capitalised(word)} Me`),
      createUser(cast.server, `${capitalised(word)} Other`),
    ]);
    const found = await searchUsers(me!, capitalised(word));
    expect(found.map((u) => u.id)).toEqual([other!.id]);
  });

  it('GET /api/users: at most 20 users', async () => {
    const word = tag();
    await Promise.all(
      Array.from({ length: 23 }, (_, i) => createUser(cast.server, `${capitalised(word)} ${i}`)),
    );
    const found = await searchUsers(cast.alice, capitalised(word));
    expect(found).toHaveLength(20);
    expect(new Set(found.map((u) => u.id)).size).toBe(20);
    expect(found.every((u) => u.display_name.startsWith(capitalised(word)))).toBe(true);
  });
});

describe('GET /api/conversations', () => {
  it("GET /api/conversations: lists the caller's conversations with the Conversation fields", async () => {
    const [dave, erin] = await Promise.all([
      createUser(cast.server, 'Dave'),
      createUser(cast.server, 'Erin'),
    ]);
    const created = await createConversation(cast.server, dave, [erin, cast.alice], 'Plans');
    await createConversation(cast.server, erin, [cast.alice]); // not Dave's
    const listed = await conversationsOf(dave);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toEqual(created);
    expect(listed[0]).toMatchObject({
      id: created.id,
      title: 'Plans',
      is_group: true,
      last_message: null,
      last_seq: 0,
      unread_count: 0,
      unread_mentions: 0,
      settings: { muted_until: null, archived: false, pinned: false },
    });
    const byUserId = (a: { user_id: string }, b: { user_id: string }) => a.user_id.localeCompare(b.user_id);
    expect([...(listed[0]?.members ?? [])].sort(byUserId)).toEqual(
      [
        { user_id: dave.id, display_name: 'Dave', read_seq: 0, role: 'admin', is_agent: false },
        { user_id: erin.id, display_name: 'Erin', read_seq: 0, role: 'member', is_agent: false },
        { user_id: cast.alice.id, display_name: 'Alice', read_seq: 0, role: 'member', is_agent: false },
      ].sort(byUserId),
    );
    expect(Date.parse(listed[0]!.created_at)).not.toBeNaN();
  });

  it('GET /api/conversations: newest message first; a conversation without messages by its created_at', async () => {
    const dave = await createUser(cast.server, 'Dave');
    const first = await createConversation(cast.server, dave, [cast.bob, cast.carol], 'first');
    await nextMillisecond();
    const second = await createConversation(cast.server, dave, [cast.bob, cast.carol], 'second');
    await nextMillisecond();
    const third = await createConversation(cast.server, dave, [cast.bob, cast.carol], 'third');
    const order = async () => (await conversationsOf(dave)).map((c) => c.title);
    expect(await order()).toEqual(['third', 'second', 'first']);

    const socket = await sockets.connect(cast.bob);
    await nextMillisecond();
    await sendMessage(socket, first.id);
    expect(await order()).toEqual(['first', 'third', 'second']);
    await nextMillisecond();
    await sendMessage(socket, second.id);
    expect(await order()).toEqual(['second', 'first', 'third']);
    await nextMillisecond();
    const fourth = await createConversation(cast.server, dave, [cast.bob, cast.carol], 'fourth');
    expect(await order()).toEqual(['fourth', 'second', 'first', 'third']);
    expect(fourth.id).not.toBe(third.id);
  });

  it('GET /api/conversations: last_message is the one with the highest seq, shown deleted if it was', async () => {
    const conversation = await createConversation(cast.server, cast.alice, [cast.bob, cast.carol]);
    const socket = await sockets.connect(cast.alice);
    const older = await sendMessage(socket, conversation.id, 'older');
    const newest = await sendMessage(socket, conversation.id, 'newest');
    // A later change of an older message does not make it the last message.
    await socket.request({ type: 'edit_message', message_id: older.id, body: 'older, edited' });
    const lastOf = async () => (await conversationsOf(cast.bob)).find((c) => c.id === conversation.id);
    let listed = await lastOf();
    expect(listed?.last_message).toEqual(newest);
    expect(listed?.last_seq).toBe(3);

    await socket.request({ type: 'delete_message', message_id: newest.id });
    listed = await lastOf();
    expect(listed?.last_message).toMatchObject({ id: newest.id, seq: 2, updated_seq: 4, body: '' });
    expect(listed?.last_message?.deleted_at).not.toBeNull();
    expect(listed?.last_seq).toBe(4);
  });
});

describe('POST /api/conversations', () => {
  it('POST /api/conversations: a member id that is not a UUID is 400', async () => {
    await expectErrorResponse(await post(cast.alice, { member_ids: ['not-a-uuid'] }), 400, 'bad_request');
    await expectErrorResponse(await post(cast.alice, { member_ids: [cast.bob.id, 42] }), 400, 'bad_request');
  });

  it('POST /api/conversations: no member besides the caller is 400', async () => {
    await expectErrorResponse(await post(cast.alice, { member_ids: [] }), 400, 'bad_request');
    await expectErrorResponse(await post(cast.alice, { member_ids: [cast.alice.id] }), 400, 'bad_request');
    await expectErrorResponse(
      await post(cast.alice, { member_ids: [cast.alice.id, cast.alice.id] }),
      400,
      'bad_request',
    );
    await expectErrorResponse(await post(cast.alice, {}), 400, 'bad_request');
  });

  it('POST /api/conversations: an unknown user id is 404', async () => {
    await expectErrorResponse(await post(cast.alice, { member_ids: [randomUUID()] }), 404, 'not_found');
    await expectErrorResponse(
      await post(cast.alice, { member_ids: [cast.bob.id, randomUUID()] }),
      404,
      'not_found',
    );
  });

  it('POST /api/conversations: naming the caller too is harmless', async () => {
    const dave = await createUser(cast.server, 'Dave');
    const direct = await json<{ conversation: Conversation }>(
      await post(dave, { member_ids: [dave.id, cast.bob.id] }),
      201,
    );
    expect(direct.conversation.is_group).toBe(false);
    expect(direct.conversation.members.map((m) => m.user_id).sort()).toEqual([dave.id, cast.bob.id].sort());
    const groupChat = await json<{ conversation: Conversation }>(
      await post(dave, { member_ids: [cast.bob.id, dave.id, cast.carol.id], title: 'Trio' }),
      201,
    );
    expect(groupChat.conversation.is_group).toBe(true);
    expect(groupChat.conversation.members).toHaveLength(3);
  });

  it('POST /api/conversations: one other member makes a 1:1 (is_group false, title null whatever was sent), 201 the first time', async () => {
    const dave = await createUser(cast.server, 'Dave');
    const { conversation } = await json<{ conversation: Conversation }>(
      await post(dave, { member_ids: [cast.carol.id], title: 'Should be dropped' }),
      201,
    );
    expect(conversation).toMatchObject({ is_group: false, title: null, last_message: null, last_seq: 0 });
    expect(conversation.members.map((m) => m.user_id).sort()).toEqual([dave.id, cast.carol.id].sort());
    const again = await json<{ conversation: Conversation }>(
      await post(dave, { member_ids: [cast.carol.id] }),
      200,
    );
    expect(again.conversation.id).toBe(conversation.id);
  });

  it('POST /api/conversations: two or more others make a group, always new, 201, title kept', async () => {
    const one = await json<{ conversation: Conversation }>(
      await post(cast.alice, { member_ids: [cast.bob.id, cast.carol.id], title: 'Book club' }),
      201,
    );
    const two = await json<{ conversation: Conversation }>(
      await post(cast.alice, { member_ids: [cast.bob.id, cast.carol.id], title: 'Book club' }),
      201,
    );
    expect(one.conversation).toMatchObject({ is_group: true, title: 'Book club' });
    expect(two.conversation.id).not.toBe(one.conversation.id);
    expect(one.conversation.members.map((m) => m.user_id).sort()).toEqual(
      [cast.alice.id, cast.bob.id, cast.carol.id].sort(),
    );
  });
});

describe('GET /api/conversations/:id/messages', () => {
  let conversationId: string;
  let all: Message[];

  beforeAll(async () => {
    const conversation = await createConversation(cast.server, cast.alice, [cast.bob, cast.carol]);
    conversationId = conversation.id;
    const scope = new SocketScope(() => cast.server);
    all = await sendMany(await scope.connect(cast.alice), conversationId, 120);
    await scope.closeAll();
  });

  const seqs = (messages: Message[]) => messages.map((m) => m.seq);
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  it('GET messages: without before_seq, the newest 50 in seq ascending order, has_more true when older exist', async () => {
    const page = await history(cast.bob, conversationId);
    expect(seqs(page.messages)).toEqual(range(71, 120));
    expect(page.messages).toEqual(all.slice(70));
    expect(page.has_more).toBe(true);
  });

  it('GET messages: before_seq is exclusive', async () => {
    const page = await history(cast.bob, conversationId, '?before_seq=71');
    expect(seqs(page.messages)).toEqual(range(21, 70));
    expect(page.has_more).toBe(true);
    expect(seqs((await history(cast.bob, conversationId, '?before_seq=2')).messages)).toEqual([1]);
  });

  it('GET messages: has_more false when the page reaches the first message', async () => {
    const page = await history(cast.bob, conversationId, '?before_seq=21');
    expect(seqs(page.messages)).toEqual(range(1, 20));
    expect(page.has_more).toBe(false);
    const exact = await history(cast.bob, conversationId, '?before_seq=51&limit=50');
    expect(seqs(exact.messages)).toEqual(range(1, 50));
    expect(exact.has_more).toBe(false);
    expect(await history(cast.bob, conversationId, '?before_seq=1')).toEqual({
      messages: [],
      has_more: false,
    });
  });

  it('GET messages: limit picks the newest that many', async () => {
    const page = await history(cast.bob, conversationId, '?limit=5');
    expect(seqs(page.messages)).toEqual(range(116, 120));
    expect(page.has_more).toBe(true);
    const older = await history(cast.bob, conversationId, '?before_seq=100&limit=3');
    expect(seqs(older.messages)).toEqual([97, 98, 99]);
  });

  it('GET messages: a limit above 100 is taken as 100', async () => {
    const page = await history(cast.bob, conversationId, '?limit=500');
    expect(seqs(page.messages)).toEqual(range(21, 120));
    expect(page.has_more).toBe(true);
    expect(seqs((await history(cast.bob, conversationId, '?limit=101')).messages)).toHaveLength(100);
  });

  it('GET messages: a conversation without messages gives an empty page', async () => {
    const empty = await createConversation(cast.server, cast.alice, [cast.bob, cast.carol]);
    expect(await history(cast.alice, empty.id)).toEqual({ messages: [], has_more: false });
  });

  it('GET messages: a user who is not a member gets 403', async () => {
    await expectErrorResponse(
      await get(cast.mallory, `/api/conversations/${conversationId}/messages`),
      403,
      'forbidden',
    );
  });

  it('GET messages: a conversation that does not exist is 404', async () => {
    await expectErrorResponse(
      await get(cast.alice, `/api/conversations/${randomUUID()}/messages`),
      404,
      'not_found',
    );
  });
});

describe('REST authentication', () => {
  const endpoints: Array<[string, string, unknown?]> = [
    ['GET', '/api/me'],
    ['GET', '/api/users?query=a'],
    ['GET', '/api/conversations'],
    ['POST', '/api/conversations', { member_ids: [randomUUID()] }],
    ['GET', `/api/conversations/${randomUUID()}/messages`],
  ];

  it('REST: a missing bearer token is 401 on every endpoint', async () => {
    for (const [method, path, body] of endpoints) {
      await expectErrorResponse(await api(cast.server, null, method, path, body), 401, 'unauthorized');
    }
  });

  it('REST: an invalid bearer token (garbage, wrong signature, expired) is 401 on every endpoint', async () => {
    const tokens = [
      'not-a-jwt',
      await signTestToken({ sub: cast.alice.id, secret: 'another-secret-that-is-long-enough-for-hs256' }),
      await signTestToken({ sub: cast.alice.id, expiresIn: -60 }),
    ];
    for (const token of tokens) {
      for (const [method, path, body] of endpoints) {
        await expectErrorResponse(await api(cast.server, token, method, path, body), 401, 'unauthorized');
      }
    }
  });

  it('REST: an Authorization header that is not a bearer is 401', async () => {
    const response = await fetch(`${cast.server.url}/api/me`, {
      headers: { authorization: `Basic ${cast.alice.token}` },
    });
    await expectErrorResponse(response, 401, 'unauthorized');
  });
});
