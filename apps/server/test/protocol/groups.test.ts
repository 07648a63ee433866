import type { Conversation, ServerFrameOf } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { api, createConversation, createUser, newClientId, type TestUser } from '../support/fixtures';
import { expectError, frameOf, joinOn, sendMessage } from '../support/protocol';
import { useProtocolServer } from '../support/protocol-server';

// docs/protocol.md sections 8 and 9: system messages, roles, renaming, adding, removing,
// leaving and roles, and what every member's connections hear of it.

const cast = useProtocolServer({ maxGroupMembers: 5 });
const { sockets } = cast;

const group = (title = 'Trip') => createConversation(cast.server, cast.alice, [cast.bob, cast.carol], title);

async function call(user: TestUser, method: string, path: string, body?: unknown) {
  const response = await api(cast.server, user.token, method, path, body);
  const text = await response.text();
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : null) as Record<string, unknown> | null,
  };
}

const conversationOf = (reply: { body: Record<string, unknown> | null }) =>
  reply.body?.conversation as Conversation;

describe('groups: system messages (section 8)', () => {
  it('groups: a rename appends a system message that takes the next seq and reaches joined members as `message`', async () => {
    const conversation = await group();
    const { socket } = await sockets.join(cast.bob, conversation.id);
    await sendMessage(socket, conversation.id, 'hello');
    const reply = await call(cast.alice, 'PATCH', `/api/conversations/${conversation.id}`, {
      title: '  Road trip  ',
    });
    expect(reply.status).toBe(200);
    expect(conversationOf(reply)).toMatchObject({ title: 'Road trip', last_seq: 2 });
    const system = frameOf(
      await socket.next('message', (f) => (f as ServerFrameOf<'message'>).message.kind === 'system'),
      'message',
    ).message;
    expect(system).toMatchObject({
      seq: 2,
      kind: 'system',
      event: { type: 'renamed', title: 'Road trip' },
      sender_id: cast.alice.id,
      client_id: null,
      body: '',
    });
  });

  it('groups: system messages resume with since_seq like messages, and are never counted as unread', async () => {
    const conversation = await group();
    await call(cast.alice, 'PATCH', `/api/conversations/${conversation.id}`, { title: 'One' });
    await call(cast.alice, 'PATCH', `/api/conversations/${conversation.id}`, { title: 'Two' });
    const socket = await sockets.connect(cast.bob);
    const resumed = await joinOn(socket, conversation.id, 1);
    expect(resumed.messages.map((m) => m.event)).toEqual([{ type: 'renamed', title: 'Two' }]);
    const listed = await call(cast.bob, 'GET', `/api/conversations/${conversation.id}`);
    expect(conversationOf(listed).unread_count).toBe(0);
  });

  it('groups: a system message cannot be edited, unsent or reacted to (bad_request)', async () => {
    const conversation = await group();
    await call(cast.alice, 'PATCH', `/api/conversations/${conversation.id}`, { title: 'Fixed' });
    const socket = await sockets.connect(cast.alice);
    const joined = await joinOn(socket, conversation.id);
    const system = joined.messages.find((m) => m.kind === 'system')!;
    expectError(
      await socket.request({ type: 'edit_message', message_id: system.id, body: 'x' }),
      'bad_request',
    );
    expectError(await socket.request({ type: 'delete_message', message_id: system.id }), 'bad_request');
    expectError(
      await socket.request({ type: 'react', message_id: system.id, reaction: 'heart' }),
      'bad_request',
    );
  });

  it('groups: text messages carry kind text, no event, empty attachments and mentions, state complete', async () => {
    const conversation = await group();
    const socket = await sockets.connect(cast.alice);
    const message = await sendMessage(socket, conversation.id, 'plain');
    expect(message).toMatchObject({
      kind: 'text',
      event: null,
      attachments: [],
      mentions: [],
      state: 'complete',
    });
  });
});

describe('groups: roles and changes (section 9)', () => {
  it('groups: the creator is the first admin; a 1:1 has no admin and cannot be renamed, extended, left or changed (400)', async () => {
    const conversation = await group();
    expect(conversation.members.map((m) => m.role)).toEqual(['admin', 'member', 'member']);
    const direct = await createConversation(cast.server, cast.alice, [cast.mallory]);
    expect(direct.members.map((m) => m.role)).toEqual(['member', 'member']);
    const base = `/api/conversations/${direct.id}`;
    expect((await call(cast.alice, 'PATCH', base, { title: 'x' })).status).toBe(400);
    expect((await call(cast.alice, 'POST', `${base}/members`, { user_ids: [cast.bob.id] })).status).toBe(400);
    expect((await call(cast.alice, 'DELETE', `${base}/members/${cast.alice.id}`)).status).toBe(400);
    expect(
      (await call(cast.alice, 'PATCH', `${base}/members/${cast.mallory.id}`, { role: 'admin' })).status,
    ).toBe(400);
  });

  it('groups: a title is 1-100 characters after trimming, or null to clear it', async () => {
    const conversation = await group();
    const path = `/api/conversations/${conversation.id}`;
    expect((await call(cast.bob, 'PATCH', path, { title: '   ' })).status).toBe(400);
    expect((await call(cast.bob, 'PATCH', path, { title: 'x'.repeat(101) })).status).toBe(400);
    expect((await call(cast.bob, 'PATCH', path, {})).status).toBe(400);
    const cleared = await call(cast.bob, 'PATCH', path, { title: null });
    expect(conversationOf(cleared).title).toBeNull();
  });

  it('groups: a non-member is 403 and an unknown conversation 404 on every group route', async () => {
    const conversation = await group();
    const base = `/api/conversations/${conversation.id}`;
    expect((await call(cast.mallory, 'PATCH', base, { title: 'x' })).status).toBe(403);
    expect(
      (await call(cast.mallory, 'POST', `${base}/members`, { user_ids: [cast.mallory.id] })).status,
    ).toBe(403);
    expect((await call(cast.mallory, 'PATCH', `${base}/settings`, { pinned: true })).status).toBe(403);
    const unknown = '/api/conversations/00000000-0000-4000-8000-000000000000';
    expect((await call(cast.alice, 'PATCH', unknown, { title: 'x' })).status).toBe(404);
  });

  it('groups: any member adds people; members already there are skipped; every member connection hears `conversation`', async () => {
    const conversation = await group();
    const dave = await createUser(cast.server, 'Dave');
    const carolSocket = await sockets.connect(cast.carol);
    const daveSocket = await sockets.connect(dave);
    const reply = await call(cast.bob, 'POST', `/api/conversations/${conversation.id}/members`, {
      user_ids: [dave.id, cast.carol.id],
    });
    expect(reply.status).toBe(200);
    expect(conversationOf(reply).members.map((m) => m.user_id)).toContain(dave.id);
    const heard = frameOf(await daveSocket.next('conversation'), 'conversation').conversation;
    expect(heard.id).toBe(conversation.id);
    await carolSocket.next('conversation', (f) =>
      (f as ServerFrameOf<'conversation'>).conversation.members.some((m) => m.user_id === dave.id),
    );
    const joined = await joinOn(daveSocket, conversation.id);
    expect(joined.messages.at(-1)?.event).toEqual({ type: 'members_added', user_ids: [dave.id] });
    // Nobody new: 200, nothing appended.
    const again = await call(cast.bob, 'POST', `/api/conversations/${conversation.id}/members`, {
      user_ids: [dave.id],
    });
    expect(again.status).toBe(200);
    expect(conversationOf(again).last_seq).toBe(conversationOf(reply).last_seq);
  });

  it('groups: an unknown user to add is 404; past MAX_GROUP_MEMBERS is 409 and nothing is added', async () => {
    const conversation = await group();
    const path = `/api/conversations/${conversation.id}/members`;
    expect(
      (await call(cast.alice, 'POST', path, { user_ids: ['00000000-0000-4000-8000-000000000000'] })).status,
    ).toBe(404);
    const extra = await Promise.all([1, 2, 3].map((i) => createUser(cast.server, `Extra ${i}`)));
    expect((await call(cast.alice, 'POST', path, { user_ids: extra.map((u) => u.id) })).status).toBe(409);
    expect(
      conversationOf(await call(cast.alice, 'GET', `/api/conversations/${conversation.id}`)).members,
    ).toHaveLength(3);
    const crowd = await Promise.all([1, 2, 3, 4, 5].map((i) => createUser(cast.server, `Crowd ${i}`)));
    const created = await api(cast.server, cast.alice.token, 'POST', '/api/conversations', {
      member_ids: crowd.map((u) => u.id),
    });
    expect(created.status).toBe(409);
  });

  it('groups: only an admin removes someone else (403); the removed user leaves the room, hears left(removed) then conversation_removed, and is a non-member from then on', async () => {
    const conversation = await group();
    const { socket: carolJoined } = await sockets.join(cast.carol, conversation.id);
    const carolIdle = await sockets.connect(cast.carol);
    const earlier = await sendMessage(carolJoined, conversation.id, 'mine');
    const path = `/api/conversations/${conversation.id}/members/${cast.carol.id}`;
    expect((await call(cast.bob, 'DELETE', path)).status).toBe(403);
    expect((await call(cast.alice, 'DELETE', path)).status).toBe(204);
    const left = frameOf(await carolJoined.next('left'), 'left');
    expect(left).toMatchObject({ conversation_id: conversation.id, reason: 'removed' });
    const removedAt = carolJoined.frames.indexOf(left);
    const removed = await carolJoined.next('conversation_removed');
    expect(carolJoined.frames.indexOf(removed)).toBeGreaterThan(removedAt);
    await carolIdle.next(
      'conversation_removed',
      (f) => (f as ServerFrameOf<'conversation_removed'>).conversation_id === conversation.id,
    );
    expect(carolIdle.ofType('left')).toEqual([]);
    // From now on: a non-member.
    expectError(
      await carolJoined.request({ type: 'join_conversation', conversation_id: conversation.id }),
      'forbidden',
    );
    expectError(
      await carolJoined.request({
        type: 'send_message',
        conversation_id: conversation.id,
        client_id: newClientId(),
        body: 'still here?',
      }),
      'forbidden',
    );
    expect((await call(cast.carol, 'GET', `/api/conversations/${conversation.id}/messages`)).status).toBe(
      403,
    );
    // Her earlier messages stay.
    const history = await call(cast.alice, 'GET', `/api/conversations/${conversation.id}/messages`);
    expect((history.body?.messages as Array<{ id: string }>).map((m) => m.id)).toContain(earlier.id);
  });

  it('groups: leaving is member_left; the last admin leaving makes the longest-standing member admin right after', async () => {
    const conversation = await group();
    const { socket } = await sockets.join(cast.bob, conversation.id);
    expect(
      (await call(cast.alice, 'DELETE', `/api/conversations/${conversation.id}/members/${cast.alice.id}`))
        .status,
    ).toBe(204);
    const [left, promoted] = await socket.collect('message', 2);
    const heir = [cast.bob.id, cast.carol.id].sort()[0];
    expect(left?.message.event).toEqual({ type: 'member_left', user_id: cast.alice.id });
    expect(promoted?.message.event).toEqual({ type: 'role_changed', user_id: heir, role: 'admin' });
    expect(promoted?.message.sender_id).toBe(cast.alice.id);
  });

  it('groups: only an admin changes a role; it is recorded and every member hears the new roles', async () => {
    const conversation = await group();
    const carolSocket = await sockets.connect(cast.carol);
    const path = `/api/conversations/${conversation.id}/members/${cast.bob.id}`;
    expect((await call(cast.carol, 'PATCH', path, { role: 'admin' })).status).toBe(403);
    expect((await call(cast.alice, 'PATCH', path, { role: 'owner' })).status).toBe(400);
    const reply = await call(cast.alice, 'PATCH', path, { role: 'admin' });
    expect(conversationOf(reply).members.find((m) => m.user_id === cast.bob.id)?.role).toBe('admin');
    await carolSocket.next('conversation', (f) =>
      (f as ServerFrameOf<'conversation'>).conversation.members.some(
        (m) => m.user_id === cast.bob.id && m.role === 'admin',
      ),
    );
  });

  it('leave: left answers the connection’s own leave with reason left', async () => {
    const conversation = await group();
    const { socket } = await sockets.join(cast.alice, conversation.id);
    const left = await socket.request({ type: 'leave_conversation', conversation_id: conversation.id });
    expect(left).toMatchObject({ type: 'left', reason: 'left' });
  });
});

describe('settings (section 9)', () => {
  it("settings: only the caller's own; every connection of theirs hears `conversation`, nobody else's", async () => {
    const conversation = await group();
    const aliceOther = await sockets.connect(cast.alice);
    const bobSocket = await sockets.connect(cast.bob);
    const reply = await call(cast.alice, 'PATCH', `/api/conversations/${conversation.id}/settings`, {
      muted_until: '2999-01-01T00:00:00Z',
      pinned: true,
    });
    expect(conversationOf(reply).settings).toEqual({
      muted_until: '2999-01-01T00:00:00.000Z',
      archived: false,
      pinned: true,
    });
    const heard = frameOf(await aliceOther.next('conversation'), 'conversation').conversation;
    expect(heard.settings.pinned).toBe(true);
    await bobSocket.settle();
    expect(bobSocket.ofType('conversation')).toEqual([]);
    const bobView = conversationOf(await call(cast.bob, 'GET', `/api/conversations/${conversation.id}`));
    expect(bobView.settings).toEqual({ muted_until: null, archived: false, pinned: false });
  });

  it('settings: unknown fields and bad times are 400', async () => {
    const conversation = await group();
    const path = `/api/conversations/${conversation.id}/settings`;
    expect((await call(cast.alice, 'PATCH', path, { muted: true })).status).toBe(400);
    expect((await call(cast.alice, 'PATCH', path, { muted_until: 'tomorrow' })).status).toBe(400);
  });

  it('settings: the list puts pinned conversations first, most recently pinned first; archived ones stay listed', async () => {
    const dave = await createUser(cast.server, 'Dave');
    const [first, second, third] = await Promise.all(
      [cast.alice, cast.bob, cast.carol].map((other) => createConversation(cast.server, dave, [other])),
    );
    const settings = (id: string, body: unknown) =>
      call(dave, 'PATCH', `/api/conversations/${id}/settings`, body);
    await settings(first!.id, { pinned: true });
    await settings(third!.id, { archived: true });
    await settings(second!.id, { pinned: true });
    const listed = (await call(dave, 'GET', '/api/conversations')).body?.conversations as Conversation[];
    expect(listed.slice(0, 2).map((c) => c.id)).toEqual([second!.id, first!.id]);
    expect(listed.find((c) => c.id === third!.id)?.settings.archived).toBe(true);
  });
});
