import { createHash } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import {
  Agent as AgentSchema,
  AGENT_KEY_PREFIX,
  type Agent,
  WEBHOOK_SECRET_PREFIX,
  type Conversation,
  type User,
} from '@chat/protocol';
import { ManualClock } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox, ensureSecretBoxKey } from '../../src/auth/secret-box';
import { connectAgent, createAgent, replaceStoredKeyHash, storedAgentSecrets } from '../support/agents';
import { api, createConversation, createUser, type TestUser } from '../support/fixtures';
import { expectError, frameOf, joinOn, sendMessage } from '../support/protocol';
import { useProtocolServer } from '../support/protocol-server';
import { startTestServer, type TestServer } from '../support/test-server';
import { TestSocket } from '../support/test-socket';

const MAX_CONNECTIONS_PER_USER = 3;

async function json<T>(response: Response, status: number): Promise<T> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  return (text ? JSON.parse(text) : undefined) as T;
}

describe('PROTOCOL 14: agents', () => {
  const cast = useProtocolServer({ maxConnectionsPerUser: MAX_CONNECTIONS_PER_USER });
  const call = (token: string | null, method: string, path: string, body?: unknown) =>
    api(cast.server, token, method, path, body);

  it('agents: POST /api/agents makes a user with is_agent owned by the caller, 201 with its key and webhook secret', async () => {
    const response = await call(cast.alice.token, 'POST', '/api/agents', {
      display_name: '  Research\tBot ',
      description: 'finds papers',
    });
    const created = await json<{ agent: unknown; api_key: string; webhook_secret: string }>(response, 201);
    const agent = AgentSchema.strict().parse(created.agent);
    expect(agent).toMatchObject({
      email: null,
      display_name: 'Research Bot',
      is_agent: true,
      owner_id: cast.alice.id,
      description: 'finds papers',
      public: false,
      webhook_url: null,
      webhook_active: true,
    });
    expect(created.api_key).toMatch(new RegExp(`^${AGENT_KEY_PREFIX}[A-Za-z0-9_-]{43}$`));
    expect(created.webhook_secret.startsWith(WEBHOOK_SECRET_PREFIX)).toBe(true);
    const secretBytes = Buffer.from(created.webhook_secret.slice(WEBHOOK_SECRET_PREFIX.length), 'base64');
    expect(secretBytes.length).toBeGreaterThanOrEqual(24);
    expect(secretBytes.length).toBeLessThanOrEqual(32);
  });

  it("agents: the key and webhook secret are shown once: GET /api/agents lists the caller's own without them", async () => {
    const { agent, apiKey, webhookSecret } = await createAgent(cast.server, cast.bob, {
      display_name: 'Bobbot',
    });
    await createAgent(cast.server, cast.carol, { display_name: 'Carolbot' });
    const listed = await json<{ agents: unknown[] }>(await call(cast.bob.token, 'GET', '/api/agents'), 200);
    expect(listed.agents.map((entry) => AgentSchema.strict().parse(entry))).toContainEqual(agent);
    expect(listed.agents.every((entry) => (entry as { owner_id: string }).owner_id === cast.bob.id)).toBe(
      true,
    );
    const text = JSON.stringify(listed);
    expect(text).not.toContain(apiKey);
    expect(text).not.toContain(webhookSecret);
    expect(text).not.toContain('api_key');
  });

  it('agents: the key is stored as its sha256, never as itself; the webhook secret is sealed and opens to the one shown', async () => {
    const { agent, apiKey, webhookSecret } = await createAgent(cast.server, cast.alice);
    const stored = await storedAgentSecrets(cast.harness, agent.id);
    expect(stored?.api_key_hash).toBe(createHash('sha256').update(apiKey).digest('hex'));
    expect(stored?.webhook_secret_sealed).not.toContain(webhookSecret.slice(WEBHOOK_SECRET_PREFIX.length));
    const box = new SecretBox(ensureSecretBoxKey(cast.harness.dataDir));
    expect(box.open(stored!.webhook_secret_sealed)).toBe(webhookSecret);
  });

  it('agents: authenticate {api_key} gives authenticated with the agent, expires_at null', async () => {
    const { agent, apiKey } = await createAgent(cast.server, cast.alice, { display_name: 'Socket Bot' });
    const socket = await TestSocket.open(cast.server.wsUrl);
    const reply = await socket.request({ type: 'authenticate', api_key: apiKey });
    expect(frameOf(reply, 'authenticated')).toMatchObject({
      user: { id: agent.id, email: null, display_name: 'Socket Bot', is_agent: true },
      expires_at: null,
      protocol: 2,
    });
    socket.close();
  });

  it('agents: an unknown api key gets unauthorized, then close 4001', async () => {
    for (const key of [`${AGENT_KEY_PREFIX}${'A'.repeat(43)}`, 'not-a-key']) {
      const socket = await TestSocket.open(cast.server.wsUrl);
      expectError(await socket.request({ type: 'authenticate', api_key: key }), 'unauthorized');
      expect((await socket.waitForClose()).code).toBe(4001);
    }
  });

  it('agents: authenticate with both token and api_key, or neither, is bad_request and the socket stays open', async () => {
    const { apiKey } = await createAgent(cast.server, cast.alice);
    const socket = await TestSocket.open(cast.server.wsUrl);
    expectError(
      await socket.request({ type: 'authenticate', token: cast.alice.token, api_key: apiKey }),
      'bad_request',
    );
    expect((await socket.request({ type: 'authenticate', api_key: apiKey })).type).toBe('authenticated');
    socket.close();
  });

  it('agents: a socket of an agent that authenticates as someone else gets forbidden and goes on as the agent', async () => {
    const { agent, apiKey } = await createAgent(cast.server, cast.alice);
    const other = await createAgent(cast.server, cast.alice);
    const socket = await connectAgent(cast.server, apiKey);
    expectError(await socket.request({ type: 'authenticate', token: cast.alice.token }), 'forbidden');
    expectError(await socket.request({ type: 'authenticate', api_key: other.apiKey }), 'forbidden');
    expect((await socket.request({ type: 'authenticate', api_key: apiKey })).user).toMatchObject({
      id: agent.id,
    });
    const person = await cast.sockets.connect(cast.bob);
    expectError(await person.request({ type: 'authenticate', api_key: apiKey }), 'forbidden');
    socket.close();
  });

  it('agents: Authorization: Bearer chat_ak_... is accepted on REST as the agent', async () => {
    const { agent, apiKey } = await createAgent(cast.server, cast.alice, { display_name: 'Rest Bot' });
    const me = await json<{ user: User }>(await call(apiKey, 'GET', '/api/me'), 200);
    expect(me.user).toEqual({ id: agent.id, email: null, display_name: 'Rest Bot', is_agent: true });
    expect((await call(`${AGENT_KEY_PREFIX}unknown`, 'GET', '/api/me')).status).toBe(401);
  });

  it('agents: the agent routes need a signed-in caller (401 without a token)', async () => {
    const { agent } = await createAgent(cast.server, cast.alice);
    const routes: Array<[string, string, unknown]> = [
      ['POST', '/api/agents', { display_name: 'Nobody' }],
      ['GET', '/api/agents', undefined],
      ['PATCH', `/api/agents/${agent.id}`, { public: true }],
      ['DELETE', `/api/agents/${agent.id}`, undefined],
      ['POST', `/api/agents/${agent.id}/keys`, undefined],
    ];
    for (const [method, path, body] of routes) {
      expect((await call(null, method, path, body)).status, `${method} ${path}`).toBe(401);
    }
    expect(
      (await json<{ agents: Agent[] }>(await call(cast.alice.token, 'GET', '/api/agents'), 200)).agents,
    ).toContainEqual(agent);
  });

  it('agents: an agent cannot create conversations or agents (403 forbidden)', async () => {
    const { apiKey } = await createAgent(cast.server, cast.alice);
    const conversation = await call(apiKey, 'POST', '/api/conversations', { member_ids: [cast.alice.id] });
    expect((await json<{ error: { code: string } }>(conversation, 403)).error.code).toBe('forbidden');
    const agent = await call(apiKey, 'POST', '/api/agents', { display_name: 'Child' });
    expect((await json<{ error: { code: string } }>(agent, 403)).error.code).toBe('forbidden');
  });

  it('agents: an agent a person added can do what a member does: list, join, send, read history', async () => {
    const { agent, apiKey } = await createAgent(cast.server, cast.alice);
    const group = await createConversation(cast.server, cast.alice, [cast.bob, agent], 'Team');
    expect(group.members.find((member) => member.user_id === agent.id)).toMatchObject({ is_agent: true });
    const listed = await json<{ conversations: Conversation[] }>(
      await call(apiKey, 'GET', '/api/conversations'),
      200,
    );
    expect(listed.conversations.map((conversation) => conversation.id)).toContain(group.id);
    const { socket: bob } = await cast.sockets.join(cast.bob, group.id);
    const socket = await connectAgent(cast.server, apiKey);
    const joined = await joinOn(socket, group.id);
    expect(joined.members.find((member) => member.user_id === agent.id)).toMatchObject({ is_agent: true });
    const sent = await sendMessage(socket, group.id, 'hello from the agent');
    expect((await bob.next('message')).message).toMatchObject({ id: sent.id, sender_id: agent.id });
    const history = await json<{ messages: Array<{ id: string }> }>(
      await call(apiKey, 'GET', `/api/conversations/${group.id}/messages`),
      200,
    );
    expect(history.messages.map((message) => message.id)).toContain(sent.id);
    socket.close();
  });

  it('agents: replacing the key stops the old one at once: its sockets close with 4001, ws and REST refuse it, the new one works', async () => {
    const { agent, apiKey } = await createAgent(cast.server, cast.alice);
    const first = await connectAgent(cast.server, apiKey);
    const second = await connectAgent(cast.server, apiKey);
    const replaced = await json<{ api_key: string }>(
      await call(cast.alice.token, 'POST', `/api/agents/${agent.id}/keys`),
      200,
    );
    expect(replaced.api_key).toMatch(new RegExp(`^${AGENT_KEY_PREFIX}`));
    expect(replaced.api_key).not.toBe(apiKey);
    for (const socket of [first, second]) {
      expect(await socket.next('error')).toMatchObject({ code: 'unauthorized' });
      expect((await socket.waitForClose()).code).toBe(4001);
    }
    const again = await TestSocket.open(cast.server.wsUrl);
    expectError(await again.request({ type: 'authenticate', api_key: apiKey }), 'unauthorized');
    expect((await again.waitForClose()).code).toBe(4001);
    expect((await call(apiKey, 'GET', '/api/me')).status).toBe(401);
    expect((await json<{ user: User }>(await call(replaced.api_key, 'GET', '/api/me'), 200)).user.id).toBe(
      agent.id,
    );
    const fresh = await connectAgent(cast.server, replaced.api_key);
    expect((await fresh.request({ type: 'ping' })).type).toBe('pong');
    fresh.close();
  });

  it('agents: only the owner may change, delete or re-key an agent (403); an unknown one is 404', async () => {
    const { agent, apiKey } = await createAgent(cast.server, cast.alice);
    const routes: Array<[string, string, unknown]> = [
      ['PATCH', `/api/agents/${agent.id}`, { public: true }],
      ['POST', `/api/agents/${agent.id}/keys`, undefined],
      ['DELETE', `/api/agents/${agent.id}`, undefined],
    ];
    for (const [method, path, body] of routes) {
      expect((await call(cast.bob.token, method, path, body)).status, `${method} ${path}`).toBe(403);
      expect((await call(apiKey, method, path, body)).status, `${method} ${path} as the agent`).toBe(403);
      const unknown = path.replace(agent.id, randomUUID());
      expect((await call(cast.alice.token, method, unknown, body)).status, `${method} unknown`).toBe(404);
    }
    expect((await call(cast.alice.token, 'PATCH', '/api/agents/not-a-uuid', {})).status).toBe(400);
    expect(
      (await json<{ agents: unknown[] }>(await call(cast.bob.token, 'GET', '/api/agents'), 200)).agents,
    ).not.toContainEqual(agent);
    // Nothing changed, the key still works.
    expect((await call(apiKey, 'GET', '/api/me')).status).toBe(200);
  });

  it("agents: PATCH changes the name (people's rules), description and visibility; fields left out stay", async () => {
    const { agent } = await createAgent(cast.server, cast.alice, { description: 'old' });
    const renamed = await json<{ agent: unknown }>(
      await call(cast.alice.token, 'PATCH', `/api/agents/${agent.id}`, { display_name: 'New\u202E Name ' }),
      200,
    );
    expect(AgentSchema.strict().parse(renamed.agent)).toEqual({ ...agent, display_name: 'New Name' });
    const changed = await json<{ agent: unknown }>(
      await call(cast.alice.token, 'PATCH', `/api/agents/${agent.id}`, { description: null, public: true }),
      200,
    );
    expect(changed.agent).toEqual({ ...agent, display_name: 'New Name', description: null, public: true });
    expect(
      (await call(cast.alice.token, 'PATCH', `/api/agents/${agent.id}`, { display_name: ' \u200B ' })).status,
    ).toBe(400);
    expect(
      (await call(cast.alice.token, 'PATCH', `/api/agents/${agent.id}`, { owner_id: cast.bob.id })).status,
    ).toBe(400);
    expect((await call(cast.alice.token, 'POST', '/api/agents', { display_name: '' })).status).toBe(400);
  });

  it('agents: a webhook_url to 127.0.0.1 is refused with 400 bad_request', async () => {
    const { agent } = await createAgent(cast.server, cast.alice);
    for (const url of [
      'http://127.0.0.1:9/hook',
      'http://[::1]/hook',
      'http://10.0.0.1/hook',
      'http://169.254.169.254/',
    ]) {
      const refused = await call(cast.alice.token, 'PATCH', `/api/agents/${agent.id}`, { webhook_url: url });
      const body = await json<{ error: { code: string; message: string } }>(refused, 400);
      expect(body.error.code, url).toBe('bad_request');
    }
    expect(
      (
        await call(cast.alice.token, 'PATCH', `/api/agents/${agent.id}`, {
          webhook_url: 'ftp://example.com/',
        })
      ).status,
    ).toBe(400);
    const listed = await json<{ agents: Array<{ id: string; webhook_url: string | null }> }>(
      await call(cast.alice.token, 'GET', '/api/agents'),
      200,
    );
    expect(listed.agents.find((entry) => entry.id === agent.id)?.webhook_url).toBeNull();
  });

  it('agents: GET /api/users shows a private agent to its owner only, a public one to everyone', async () => {
    const hidden = await createAgent(cast.server, cast.alice, { display_name: 'Zebra Private' });
    const open = await createAgent(cast.server, cast.alice, { display_name: 'Zebra Public', public: true });
    const found = async (token: string) =>
      (await json<{ users: User[] }>(await call(token, 'GET', '/api/users?query=zebra'), 200)).users;
    expect(await found(cast.alice.token)).toEqual([
      { id: hidden.agent.id, email: null, display_name: 'Zebra Private', is_agent: true },
      { id: open.agent.id, email: null, display_name: 'Zebra Public', is_agent: true },
    ]);
    expect(await found(cast.bob.token)).toEqual([
      { id: open.agent.id, email: null, display_name: 'Zebra Public', is_agent: true },
    ]);
    // Made public later, it is found; made private again, it is gone.
    await call(cast.alice.token, 'PATCH', `/api/agents/${hidden.agent.id}`, { public: true });
    expect((await found(cast.bob.token)).map((user) => user.id)).toContain(hidden.agent.id);
    await call(cast.alice.token, 'PATCH', `/api/agents/${hidden.agent.id}`, { public: false });
    expect((await found(cast.bob.token)).map((user) => user.id)).not.toContain(hidden.agent.id);
  });

  it('agents: its owner may always add an agent, anyone when it is public, others get 403; a deleted one is 404', async () => {
    const hidden = await createAgent(cast.server, cast.alice, { display_name: 'Private Helper' });
    const open = await createAgent(cast.server, cast.alice, { display_name: 'Public Helper', public: true });
    // The owner: a 1:1 with the agent, and into a group.
    const direct = await json<{ conversation: Conversation }>(
      await call(cast.alice.token, 'POST', '/api/conversations', { member_ids: [hidden.agent.id] }),
      201,
    );
    expect(direct.conversation.is_group).toBe(false);
    // Someone else: the public one, not the private one.
    expect(
      (await call(cast.bob.token, 'POST', '/api/conversations', { member_ids: [open.agent.id] })).status,
    ).toBe(201);
    const refused = await call(cast.bob.token, 'POST', '/api/conversations', {
      member_ids: [hidden.agent.id],
    });
    expect((await json<{ error: { code: string } }>(refused, 403)).error.code).toBe('forbidden');
    const group = await createConversation(cast.server, cast.bob, [cast.carol, cast.alice], 'Bob group');
    expect(
      (
        await call(cast.bob.token, 'POST', `/api/conversations/${group.id}/members`, {
          user_ids: [hidden.agent.id],
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call(cast.alice.token, 'POST', `/api/conversations/${group.id}/members`, {
          user_ids: [hidden.agent.id],
        })
      ).status,
    ).toBe(200);
    // Deleted: an unknown user.
    expect((await call(cast.alice.token, 'DELETE', `/api/agents/${open.agent.id}`)).status).toBe(204);
    expect(
      (await call(cast.alice.token, 'POST', '/api/conversations', { member_ids: [open.agent.id] })).status,
    ).toBe(404);
  });

  it('agents: deleting an agent closes its sockets with 4001, stops its key, and it leaves its groups (member_left)', async () => {
    const { agent, apiKey } = await createAgent(cast.server, cast.alice);
    const group = await createConversation(cast.server, cast.alice, [cast.bob, agent], 'With a bot');
    const direct = await createConversation(cast.server, cast.alice, [agent]);
    const { socket: bob } = await cast.sockets.join(cast.bob, group.id);
    const socket = await connectAgent(cast.server, apiKey);
    expect((await call(cast.alice.token, 'DELETE', `/api/agents/${agent.id}`)).status).toBe(204);
    expect(await socket.next('error')).toMatchObject({ code: 'unauthorized' });
    expect((await socket.waitForClose()).code).toBe(4001);
    const left = await bob.next(
      'message',
      (frame) => frame.type === 'message' && frame.message.kind === 'system',
    );
    expect(left.message).toMatchObject({
      sender_id: agent.id,
      event: { type: 'member_left', user_id: agent.id },
    });
    const after = await json<{ conversation: Conversation }>(
      await call(cast.alice.token, 'GET', `/api/conversations/${group.id}`),
      200,
    );
    expect(after.conversation.members.map((member) => member.user_id)).not.toContain(agent.id);
    // The 1:1 keeps its history and the agent as a member that can no longer sign in.
    const kept = await json<{ conversation: Conversation }>(
      await call(cast.alice.token, 'GET', `/api/conversations/${direct.id}`),
      200,
    );
    expect(kept.conversation.members.map((member) => member.user_id)).toContain(agent.id);
    expect((await call(apiKey, 'GET', '/api/me')).status).toBe(401);
    const again = await TestSocket.open(cast.server.wsUrl);
    expectError(await again.request({ type: 'authenticate', api_key: apiKey }), 'unauthorized');
    expect(
      (
        await json<{ agents: Array<{ id: string }> }>(await call(cast.alice.token, 'GET', '/api/agents'), 200)
      ).agents.map((a) => a.id),
    ).not.toContain(agent.id);
    expect((await call(cast.alice.token, 'DELETE', `/api/agents/${agent.id}`)).status).toBe(404);
  });

  it('agents: the per-user connection cap applies to an agent as to a person', async () => {
    const { apiKey } = await createAgent(cast.server, cast.alice);
    const open: TestSocket[] = [];
    for (let i = 0; i < MAX_CONNECTIONS_PER_USER; i++) open.push(await connectAgent(cast.server, apiKey));
    const extra = await TestSocket.open(cast.server.wsUrl);
    expectError(await extra.request({ type: 'authenticate', api_key: apiKey }), 'rate_limited');
    expect((await extra.waitForClose()).code).toBe(4029);
    for (const socket of open) socket.close();
  });
});

describe('PROTOCOL 14: agent keys over time (on a manual clock)', () => {
  let harness: TestServer;
  let owner: TestUser;
  const clock = new ManualClock();

  beforeAll(async () => {
    // Heartbeats would need pongs between the clock's jumps; this is about keys.
    harness = await startTestServer({ heartbeatIntervalMs: 24 * 3600_000 }, { clock });
    // Its token outlives the hours these tests move the clock by.
    owner = await createUser(harness.server, 'Owner', { expiresIn: 3 * 24 * 3600 });
  });
  afterAll(() => harness.dispose());

  it('agents: a socket signed in with an api key has no expiry: open and serving hours later', async () => {
    const { apiKey } = await createAgent(harness.server, owner);
    const socket = await connectAgent(harness.server, apiKey);
    clock.advance(6 * 3600_000); // past any access token's lifetime
    expect((await socket.request({ type: 'ping' })).type).toBe('pong');
    expect(socket.closeCode).toBeNull();
    socket.close();
  });

  it('agents: a key replaced without its broker event (Redis away) still closes its sockets with 4001 at the next key sweep', async () => {
    const { agent, apiKey } = await createAgent(harness.server, owner);
    const kept = await createAgent(harness.server, owner);
    const socket = await connectAgent(harness.server, apiKey);
    const other = await connectAgent(harness.server, kept.apiKey);
    await replaceStoredKeyHash(harness, agent.id, 'a-key-nobody-has');
    // Before the sweep nothing has told this process.
    expect((await socket.request({ type: 'ping' })).type).toBe('pong');
    clock.advance(harness.server.config.sessionCheckIntervalMs);
    expect(await socket.next('error')).toMatchObject({ code: 'unauthorized' });
    expect((await socket.waitForClose()).code).toBe(4001);
    // The sweep leaves sockets on current keys alone.
    expect((await other.request({ type: 'ping' })).type).toBe('pong');
    other.close();
  });
});

describe('PROTOCOL 14: webhook addresses with WEBHOOK_ALLOW_PRIVATE', () => {
  let harness: TestServer;
  let receiver: Server;

  beforeAll(async () => {
    harness = await startTestServer({ webhookAllowPrivate: true });
    receiver = createHttpServer((_request, response) => response.writeHead(204).end());
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => receiver.close(resolve));
    await harness.dispose();
  });

  it('agents: a webhook_url to 127.0.0.1 is accepted when private addresses are allowed; setting it turns the webhook on, null removes it', async () => {
    const owner = await createUser(harness.server, 'Owner');
    const { agent } = await createAgent(harness.server, owner);
    const address = receiver.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`;
    const set = await api(harness.server, owner.token, 'PATCH', `/api/agents/${agent.id}`, {
      webhook_url: url,
    });
    expect(await json<{ agent: unknown }>(set, 200)).toEqual({
      agent: { ...agent, webhook_url: url, webhook_active: true },
    });
    const removed = await api(harness.server, owner.token, 'PATCH', `/api/agents/${agent.id}`, {
      webhook_url: null,
    });
    expect(
      (await json<{ agent: { webhook_url: string | null } }>(removed, 200)).agent.webhook_url,
    ).toBeNull();
  });
});
