import type { Conversation } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { api, createUser, type TestUser } from '../support/fixtures';
import { frameOf } from '../support/protocol';
import { useProtocolServer } from '../support/protocol-server';

// docs/protocol.md sections 4-5 and 7: the `conversation` frame for new conversations.

const cast = useProtocolServer();
const { sockets } = cast;

async function create(owner: TestUser, others: TestUser[], title?: string) {
  const response = await api(cast.server, owner.token, 'POST', '/api/conversations', {
    member_ids: others.map((other) => other.id),
    ...(title === undefined ? {} : { title }),
  });
  const { conversation } = (await response.json()) as { conversation: Conversation };
  return { status: response.status, conversation };
}

async function listed(user: TestUser, id: string): Promise<Conversation | undefined> {
  const response = await api(cast.server, user.token, 'GET', '/api/conversations');
  return ((await response.json()) as { conversations: Conversation[] }).conversations.find(
    (c) => c.id === id,
  );
}

describe('conversation frame', () => {
  it('conversation: every authenticated connection of each member receives it, joined or not; no one else does', async () => {
    // A fresh pair of users: the 1:1 is new whatever ran before.
    const [dave, erin] = await Promise.all([
      createUser(cast.server, 'Dave'),
      createUser(cast.server, 'Erin'),
    ]);
    const existing = await create(dave, [erin, cast.alice], 'existing');
    const { socket: daveJoined } = await sockets.join(dave, existing.conversation.id);
    const daveSecond = await sockets.connect(dave);
    const erinFirst = await sockets.connect(erin);
    const erinSecond = await sockets.connect(erin);
    const outsider = await sockets.connect(cast.mallory);

    const { status, conversation } = await create(dave, [erin]);
    expect(status).toBe(201);
    for (const socket of [daveJoined, daveSecond, erinFirst, erinSecond]) {
      const frame = frameOf(
        await socket.waitFor((f) => f.type === 'conversation' && f.conversation.id === conversation.id),
        'conversation',
      );
      expect(frame.conversation).toMatchObject({ id: conversation.id, is_group: false, title: null });
    }
    await outsider.settle();
    expect(outsider.ofType('conversation')).toEqual([]);
  });

  it('conversation: the frame carries the conversation as one entry of GET /api/conversations', async () => {
    const creator = await sockets.connect(cast.alice);
    const member = await sockets.connect(cast.carol);
    const { conversation } = await create(cast.alice, [cast.bob, cast.carol], 'Weekend');
    const toCreator = frameOf(
      await creator.waitFor((f) => f.type === 'conversation' && f.conversation.id === conversation.id),
      'conversation',
    );
    const toMember = frameOf(
      await member.waitFor((f) => f.type === 'conversation' && f.conversation.id === conversation.id),
      'conversation',
    );
    expect(toCreator.conversation).toEqual(await listed(cast.alice, conversation.id));
    expect(toCreator.conversation).toMatchObject({
      title: 'Weekend',
      is_group: true,
      last_message: null,
      last_seq: 0,
      unread_count: 0,
    });
    expect(toCreator.conversation.members.map((m) => m.user_id).sort()).toEqual(
      [cast.alice.id, cast.bob.id, cast.carol.id].sort(),
    );
    expect(toMember.conversation.id).toBe(conversation.id);
    expect(toMember.conversation.members).toEqual(toCreator.conversation.members);
  });

  it('conversation: a 1:1 with the same pair again returns the existing one with 200 and sends no conversation frame', async () => {
    const [dave, erin] = await Promise.all([
      createUser(cast.server, 'Dave'),
      createUser(cast.server, 'Erin'),
    ]);
    const daveSocket = await sockets.connect(dave);
    const erinSocket = await sockets.connect(erin);
    const first = await create(dave, [erin]);
    expect(first.status).toBe(201);
    await daveSocket.waitFor((f) => f.type === 'conversation');
    await erinSocket.waitFor((f) => f.type === 'conversation');

    const again = await create(dave, [erin]);
    expect(again.status).toBe(200);
    expect(again.conversation.id).toBe(first.conversation.id);
    // The other member asking for the same pair gets the same conversation too.
    const reverse = await create(erin, [dave], 'ignored title');
    expect(reverse.status).toBe(200);
    expect(reverse.conversation.id).toBe(first.conversation.id);
    expect(reverse.conversation.title).toBeNull();

    await Promise.all([daveSocket.settle(), erinSocket.settle()]);
    expect(daveSocket.ofType('conversation')).toHaveLength(1);
    expect(erinSocket.ofType('conversation')).toHaveLength(1);
  });

  it('conversation: a group is always new: 201 and a conversation frame every time', async () => {
    const bobSocket = await sockets.connect(cast.bob);
    const first = await create(cast.alice, [cast.bob, cast.carol], 'Same people');
    const second = await create(cast.alice, [cast.bob, cast.carol], 'Same people');
    const third = await create(cast.carol, [cast.alice, cast.bob]);
    expect([first.status, second.status, third.status]).toEqual([201, 201, 201]);
    const ids = [first.conversation.id, second.conversation.id, third.conversation.id];
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) {
      await bobSocket.waitFor((f) => f.type === 'conversation' && f.conversation.id === id);
    }
    await bobSocket.settle();
    expect(bobSocket.ofType('conversation').filter((f) => ids.includes(f.conversation.id))).toHaveLength(3);
  });

  it('conversation: a connection joined to nothing still receives it (conversation lists update live)', async () => {
    const [dave, erin] = await Promise.all([
      createUser(cast.server, 'Dave'),
      createUser(cast.server, 'Erin'),
    ]);
    const idle = await sockets.connect(erin);
    const { conversation } = await create(dave, [erin, cast.bob]);
    const frame = frameOf(await idle.next('conversation'), 'conversation');
    expect(frame.conversation.id).toBe(conversation.id);
    expect('ref' in frame).toBe(false);
  });
});
