import { ClientFrame } from '@chat/protocol';
import { signTestToken } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  connectAs,
  createConversation,
  createUser,
  joinedSocket,
  newClientId,
  type TestUser,
} from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/test-server';
import { TestSocket, type AnyFrame } from '../support/test-socket';

/**
 * Every client frame type and every REST route, tried by someone who may not:
 * no token, bad tokens, a non-member, and a member acting on another's message.
 * Each try is refused on the wire, changes nothing in storage, and reaches no one.
 */
describe('SECURITY: the authorization matrix', () => {
  let harness: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let mallory: TestUser;
  let group: string;
  let alicesMessage: string;
  let badTokens: Record<string, string> = {};
  const watchers: TestSocket[] = [];

  /** What storage holds, read by its owners over REST. */
  async function snapshot() {
    const read = async (path: string) => (await api(harness.server, alice.token, 'GET', path)).json();
    const carols = (await (await api(harness.server, carol.token, 'GET', '/api/conversations')).json()) as {
      conversations: Array<{ id: string }>;
    };
    return {
      conversation: await read(`/api/conversations/${group}`),
      messages: await read(`/api/conversations/${group}/messages`),
      alices: await read('/api/conversations'),
      carols: carols.conversations.map((conversation) => conversation.id).sort(),
      mallorys: await (await api(harness.server, mallory.token, 'GET', '/api/conversations')).json(),
    };
  }
  let before: Awaited<ReturnType<typeof snapshot>>;

  /** A valid frame of each type aimed at the group or at Alice's message in it. */
  const frameOf = (type: string): Record<string, unknown> | null => {
    switch (type) {
      case 'join_conversation':
      case 'leave_conversation':
        return { type, conversation_id: group };
      case 'send_message':
        return { type, conversation_id: group, client_id: newClientId(), body: 'let me in' };
      case 'typing':
        return { type, conversation_id: group, is_typing: true };
      case 'mark_read':
        return { type, conversation_id: group, seq: 2 };
      case 'edit_message':
        return { type, message_id: alicesMessage, body: 'pwned' };
      case 'delete_message':
        return { type, message_id: alicesMessage };
      case 'react':
        return { type, message_id: alicesMessage, reaction: 'dislike' };
      case 'authenticate':
        return { type, token: badTokens.forged ?? 'forged' };
      case 'ping':
        return { type };
      case 'client_state':
        return { type, visible: true };
      case 'stream_message':
      case 'end_stream':
        return { type, message_id: alicesMessage, body: 'pwned' };
      case 'stop_stream':
        return { type, message_id: alicesMessage };
      case 'agent_status':
        return { type, conversation_id: group, status: 'thinking' };
      default:
        return null;
    }
  };
  const frameTypes: string[] = ClientFrame.options.map((option) => option.shape.type.value);
  const walked = frameTypes.filter((type) => frameOf(type) !== null);

  beforeAll(async () => {
    harness = await startTestServer();
    alice = await createUser(harness.server, 'Alice');
    bob = await createUser(harness.server, 'Bob');
    carol = await createUser(harness.server, 'Carol');
    mallory = await createUser(harness.server, 'Mallory');
    group = (await createConversation(harness.server, alice, [bob, carol], 'Matrix')).id;
    const { socket } = await joinedSocket(harness.server, alice, group);
    const ack = await socket.request({
      type: 'send_message',
      conversation_id: group,
      client_id: newClientId(),
      body: 'the secret plan',
    });
    alicesMessage = String((ack.message as { id: string }).id);
    socket.close();
    const now = Math.floor(Date.now() / 1000);
    badTokens = {
      forged: await signTestToken({ sub: alice.id, email: alice.email, secret: 'x'.repeat(48) }),
      expired: await signTestToken({ sub: alice.id, email: alice.email, exp: now - 60 }),
      wrongAudience: await signTestToken({ sub: alice.id, email: alice.email, aud: 'anon' }),
      unsigned: `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(
        JSON.stringify({ sub: alice.id, aud: 'authenticated', role: 'authenticated', exp: now + 3600 }),
      ).toString('base64url')}.`,
      garbage: 'not-a-token',
      // Section 14: an agent key that was never issued (or was replaced).
      unknownAgentKey: `chat_ak_${'A'.repeat(43)}`,
    };
    // The members who must hear nothing of any of it.
    for (const user of [alice, carol])
      watchers.push((await joinedSocket(harness.server, user, group)).socket);
    before = await snapshot();
  });
  afterAll(async () => {
    for (const watcher of watchers) watcher.close();
    await harness.dispose();
  });

  it('covers every client frame type', () => {
    const missing = frameTypes.filter((type) => frameOf(type) === null);
    // A frame type added later is walked once it has a row here.
    if (missing.length > 0) console.warn(`authorization matrix: no row yet for ${missing.join(', ')}`);
    expect(walked.length).toBeGreaterThanOrEqual(10);
  });

  it('no token: every frame but ping is refused unauthorized (authenticate without a token closes 4001)', async () => {
    const socket = await TestSocket.open(harness.server.wsUrl);
    for (const type of walked.filter((t) => t !== 'authenticate')) {
      const reply = await socket.request(frameOf(type) ?? {});
      if (type === 'ping') expect(reply.type).toBe('pong');
      else expect([type, reply.type, reply.code]).toEqual([type, 'error', 'unauthorized']);
    }
    const reply = await socket.request({ type: 'authenticate', token: '' });
    expect([reply.type, reply.code]).toEqual(['error', 'unauthorized']);
    expect((await socket.waitForClose()).code).toBe(4001);
  });

  it('bad tokens: authenticate is refused and the socket closed 4001; a frame sent right behind it is never handled', async () => {
    for (const [name, token] of Object.entries(badTokens)) {
      for (const type of walked) {
        const socket = await TestSocket.open(harness.server.wsUrl);
        socket.send({ type: 'authenticate', token, ref: 'auth' });
        socket.send({ ...frameOf(type), ref: 'behind' });
        expect((await socket.waitForClose()).code, `${name} ${type}`).toBe(4001);
        const auth = socket.frames.find((frame) => frame.ref === 'auth');
        expect([name, auth?.type, auth?.code]).toEqual([name, 'error', 'unauthorized']);
        expect(
          socket.frames.filter((frame) => frame.ref === 'behind'),
          `${name} ${type}`,
        ).toEqual([]);
      }
    }
  });

  it('a non-member: every frame on the conversation or its messages is refused, messages as not_found', async () => {
    const socket = await connectAs(harness.server, mallory);
    const refusals: Record<string, unknown> = {};
    const aimed = walked.filter((type) => !['authenticate', 'ping', 'client_state'].includes(type));
    for (const type of aimed) {
      const reply = await socket.request(frameOf(type) ?? {});
      refusals[type] = reply.type === 'error' ? reply.code : reply.type;
    }
    expect(refusals).toEqual({
      join_conversation: 'forbidden',
      // Unsubscribing from what one never joined is a no-op answered `left`: it reveals and changes nothing.
      leave_conversation: 'left',
      send_message: 'forbidden',
      typing: 'forbidden',
      mark_read: 'forbidden',
      edit_message: 'not_found',
      delete_message: 'not_found',
      react: 'not_found',
      stream_message: 'not_found',
      end_stream: 'not_found',
      stop_stream: 'not_found',
      agent_status: 'forbidden',
    });
    socket.close();
  });

  it("a member acting on another's message: edit, unsend, streaming into and ending it are refused (reacting is what members do)", async () => {
    const socket = await connectAs(harness.server, bob);
    for (const type of ['edit_message', 'delete_message', 'stream_message', 'end_stream']) {
      const reply = await socket.request(frameOf(type) ?? {});
      expect([type, reply.type, reply.code]).toEqual([type, 'error', 'forbidden']);
    }
    socket.close();
  });

  /** Every REST route, with the group's ids where it takes them. */
  const routes = (): Array<[string, string, unknown?]> => [
    ['GET', '/api/me'],
    ['GET', '/api/users?query=alice'],
    ['GET', '/api/conversations'],
    ['POST', '/api/conversations', { member_ids: [alice.id, bob.id], title: 'mine now' }],
    ['GET', `/api/conversations/${group}`],
    ['GET', `/api/conversations/${group}/messages`],
    ['PATCH', `/api/conversations/${group}`, { title: 'pwned' }],
    ['POST', `/api/conversations/${group}/members`, { user_ids: [mallory.id] }],
    ['DELETE', `/api/conversations/${group}/members/${carol.id}`],
    ['PATCH', `/api/conversations/${group}/members/${carol.id}`, { role: 'admin' }],
    ['PATCH', `/api/conversations/${group}/settings`, { archived: true }],
    ['GET', '/api/search?q=secret'],
    ['POST', '/api/attachments', {}],
    ['GET', '/api/push/key'],
    [
      'POST',
      '/api/push/subscriptions',
      { endpoint: 'https://push.example/x', keys: { p256dh: 'a', auth: 'b' } },
    ],
    ['DELETE', '/api/push/subscriptions', { endpoint: 'https://push.example/x' }],
    ['POST', '/api/agents', { display_name: 'Sneaky' }],
    ['GET', '/api/agents'],
    ['PATCH', `/api/agents/${carol.id}`, { public: true }],
    ['DELETE', `/api/agents/${carol.id}`],
    ['POST', `/api/agents/${carol.id}/keys`],
    ['POST', '/mcp', { jsonrpc: '2.0', id: 1, method: 'tools/list' }],
  ];

  it('no token and bad tokens: every REST route is 401 unauthorized, the embedded auth user routes refuse too', async () => {
    for (const token of [null, ...Object.values(badTokens)]) {
      for (const [method, path, body] of routes()) {
        const response = await api(harness.server, token, method, path, body);
        const error = ((await response.json()) as { error?: { code: string } }).error;
        expect([method, path, response.status, error?.code]).toEqual([method, path, 401, 'unauthorized']);
      }
      for (const [method, body] of [
        ['GET', undefined],
        ['PUT', { data: { display_name: 'pwned' } }],
        ['POST', undefined],
      ] as const) {
        const path = method === 'POST' ? '/auth/v1/logout' : '/auth/v1/user';
        const response = await api(harness.server, token, method, path, body);
        expect([401, 403], `${method} ${path}`).toContain(response.status);
      }
    }
  });

  it('a non-member: every route naming the conversation is 403, and search and lists show none of it', async () => {
    for (const [method, path, body] of routes().filter(([, path]) => path.includes(group))) {
      const response = await api(harness.server, mallory.token, method, path, body);
      const error = ((await response.json()) as { error?: { code: string } }).error;
      expect([method, path, response.status, error?.code]).toEqual([method, path, 403, 'forbidden']);
    }
    const search = (await (
      await api(harness.server, mallory.token, 'GET', '/api/search?q=secret')
    ).json()) as {
      results?: unknown[];
      messages?: unknown[];
    };
    expect(search.results ?? search.messages ?? []).toEqual([]);
  });

  it('a member who is not an admin: removing or promoting another member is 403', async () => {
    for (const [method, path, body] of routes().filter(([, path]) => path.includes(`/members/${carol.id}`))) {
      const response = await api(harness.server, bob.token, method, path, body);
      const error = ((await response.json()) as { error?: { code: string } }).error;
      expect([method, path, response.status, error?.code]).toEqual([method, path, 403, 'forbidden']);
    }
  });

  it('after all of it: storage is as it was and no member heard a thing', async () => {
    const after = await snapshot();
    expect(after.conversation).toEqual(before.conversation);
    expect(after.messages).toEqual(before.messages);
    expect(after.carols).toEqual(before.carols);
    expect(after.mallorys).toEqual(before.mallorys);
    for (const watcher of watchers) {
      await watcher.settle();
      const heard = watcher.frames.filter(
        (frame: AnyFrame) => !['joined', 'pong', 'presence', 'authenticated'].includes(frame.type),
      );
      expect(heard).toEqual([]);
    }
  });
});
