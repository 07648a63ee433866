import { ManualClock } from '@chat/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createConversation, createUser, newClientId, type TestUser } from '../support/fixtures';
import { expectError, frameOf, joinOn, sendMessage, SocketScope } from '../support/protocol';
import type { TestSocket } from '../support/test-socket';
import { startTestServer, type TestServer } from '../support/test-server';

// docs/protocol.md section 14: agent_status. On a manual clock, so the 60 s
// expiry moves only when a test moves it. Any member may set a status (people
// too); agents are the ones that do.

const DAY_MS = 24 * 3600 * 1000;

describe('agent_status', () => {
  const clock = new ManualClock();
  let harness: TestServer;
  let agent: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let mallory: TestUser;
  const sockets = new SocketScope(() => harness.server);
  beforeAll(async () => {
    harness = await startTestServer({ heartbeatIntervalMs: DAY_MS }, { clock });
    const make = (name: string) => createUser(harness.server, name, { expiresIn: 2 * 24 * 3600 });
    [agent, bob, carol, mallory] = await Promise.all([
      make('Agent'),
      make('Bob'),
      make('Carol'),
      make('Mallory'),
    ]);
  });
  afterEach(() => sockets.closeAll());
  afterAll(() => harness.dispose());

  const group = () => createConversation(harness.server, bob, [agent, carol]);
  const setStatus = (socket: TestSocket, conversationId: string, status: string, detail?: string) =>
    socket.request({
      type: 'agent_status',
      conversation_id: conversationId,
      status,
      ...(detail === undefined ? {} : { detail }),
    });
  const statusesOf = (socket: TestSocket, userId: string) =>
    socket
      .ofType('agent_status')
      .filter((frame) => frame.user_id === userId)
      .map((frame) => [frame.status, frame.detail]);

  it("agent_status: acked, and relayed as agent_status {conversation_id, user_id, status, detail} to the other users' joined connections", async () => {
    const conversation = await group();
    const { socket: watcher } = await sockets.join(bob, conversation.id);
    const { socket: agentJoined } = await sockets.join(agent, conversation.id);
    const carolUnjoined = await sockets.connect(carol);
    const reply = await setStatus(agentJoined, conversation.id, 'working', 'Searching the web');
    expect(reply).toEqual({ type: 'ack', ref: reply.ref });
    expect(frameOf(await watcher.next('agent_status'), 'agent_status')).toEqual({
      type: 'agent_status',
      conversation_id: conversation.id,
      user_id: agent.id,
      status: 'working',
      detail: 'Searching the web',
    });
    await Promise.all([agentJoined, carolUnjoined].map((socket) => socket.settle()));
    expect(agentJoined.ofType('agent_status')).toEqual([]);
    expect(carolUnjoined.ofType('agent_status')).toEqual([]);
  });

  it('agent_status: detail is null when absent; idle is relayed', async () => {
    const conversation = await group();
    const { socket: watcher } = await sockets.join(bob, conversation.id);
    const socket = await sockets.connect(agent);
    await setStatus(socket, conversation.id, 'thinking');
    await setStatus(socket, conversation.id, 'idle');
    await watcher.collect('agent_status', 2);
    expect(statusesOf(watcher, agent.id)).toEqual([
      ['thinking', null],
      ['idle', null],
    ]);
  });

  it('agent_status: a non-member gets forbidden, an unknown conversation not_found, a detail over 100 characters bad_request', async () => {
    const conversation = await group();
    const intruder = await sockets.connect(mallory);
    expectError(await setStatus(intruder, conversation.id, 'thinking'), 'forbidden');
    expectError(await setStatus(intruder, newClientId(), 'thinking'), 'not_found');
    const socket = await sockets.connect(agent);
    expectError(await setStatus(socket, conversation.id, 'thinking', 'x'.repeat(101)), 'bad_request');
  });

  it('agent_status: returns to idle (relayed) when the user sends a message there', async () => {
    const conversation = await group();
    const { socket: watcher } = await sockets.join(bob, conversation.id);
    const socket = await sockets.connect(agent);
    await setStatus(socket, conversation.id, 'thinking');
    await watcher.next('agent_status');
    await sendMessage(socket, conversation.id, 'Here is my answer');
    const idle = frameOf(await watcher.next('agent_status'), 'agent_status');
    expect(idle).toMatchObject({ user_id: agent.id, status: 'idle', detail: null });
  });

  it('agent_status: returns to idle when the user streams there', async () => {
    const conversation = await group();
    const { socket: watcher } = await sockets.join(bob, conversation.id);
    const socket = await sockets.connect(agent);
    const message = await sendMessage(socket, conversation.id, '', { streaming: true });
    await setStatus(socket, conversation.id, 'working', 'Writing');
    await watcher.next('agent_status');
    await socket.request({ type: 'stream_message', message_id: message.id, body: 'Once' });
    expect(frameOf(await watcher.next('agent_status'), 'agent_status').status).toBe('idle');
  });

  it('agent_status: returns to idle after 60 s without a refresh; a refresh is relayed and pushes the expiry back', async () => {
    const conversation = await group();
    const { socket: watcher } = await sockets.join(bob, conversation.id);
    const socket = await sockets.connect(agent);
    await setStatus(socket, conversation.id, 'thinking');
    clock.advance(50_000);
    await setStatus(socket, conversation.id, 'thinking');
    clock.advance(59_999);
    await watcher.settle();
    expect(statusesOf(watcher, agent.id)).toEqual([
      ['thinking', null],
      ['thinking', null],
    ]);
    clock.advance(1);
    await watcher.waitFor((f) => f.type === 'agent_status' && f.status === 'idle');
  });

  it('agent_status: returns to idle when the connection that set it closes', async () => {
    const conversation = await group();
    const { socket: watcher } = await sockets.join(bob, conversation.id);
    const socket = await sockets.connect(agent);
    await setStatus(socket, conversation.id, 'working');
    await watcher.next('agent_status');
    socket.close();
    expect(frameOf(await watcher.next('agent_status'), 'agent_status').status).toBe('idle');
  });

  it('agent_status: a connection that joins while a status is not idle is told right after joined', async () => {
    const conversation = await group();
    const socket = await sockets.connect(agent);
    await setStatus(socket, conversation.id, 'working', 'Reading files');
    const late = await sockets.connect(carol);
    const joined = await joinOn(late, conversation.id);
    const status = frameOf(await late.next('agent_status'), 'agent_status');
    expect(status).toMatchObject({ user_id: agent.id, status: 'working', detail: 'Reading files' });
    expect(late.frames.indexOf(status)).toBeGreaterThan(late.frames.indexOf(joined));
    // After idle, a joiner hears nothing.
    await setStatus(socket, conversation.id, 'idle');
    const later = await sockets.connect(bob);
    await joinOn(later, conversation.id);
    await later.settle();
    expect(later.ofType('agent_status')).toEqual([]);
  });

  it('agent_status: rate-limited like typing (rate_limited with retry_after_ms past the burst)', async () => {
    const conversation = await group();
    const socket = await sockets.connect(agent);
    const replies = await Promise.all(
      Array.from({ length: 60 }, () => setStatus(socket, conversation.id, 'thinking')),
    );
    const refused = replies.filter((reply) => reply.type === 'error');
    expect(refused.length).toBeGreaterThan(0);
    expect(expectError(refused[0]!, 'rate_limited').retry_after_ms).toBeGreaterThan(0);
  });
});
