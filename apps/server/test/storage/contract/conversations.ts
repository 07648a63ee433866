import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { User } from '@chat/protocol';
import {
  planAddMembers,
  planChangeRole,
  planRemoveMember,
  planRename,
} from '../../../src/domain/group-rules';
import { jsonText } from '../../../src/storage/json-pieces';
import type { Storage } from '../../../src/storage/storage';
import {
  createdMessage,
  makeConversation,
  makeUsers,
  newMessage,
  send,
  sleep,
  useFixture,
  type MakeStorage,
} from './fixture';

export function conversationsContract(makeStorage: MakeStorage): void {
  const fixture = useFixture(makeStorage);

  describe('conversations', () => {
    it('createConversation: one other member makes an empty 1:1 without a title', async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const result = await storage.createConversation({
        creatorId: ann!.id,
        otherIds: [bob!.id],
        title: 'ignored',
      });
      expect(result.created).toBe(true);

      const conversation = await storage.getConversation(result.id, ann!.id);
      expect(conversation).toEqual({
        id: result.id,
        title: null,
        is_group: false,
        members: [
          { user_id: ann!.id, display_name: 'Ann', read_seq: 0, role: 'member', is_agent: false },
          { user_id: bob!.id, display_name: 'Bob', read_seq: 0, role: 'member', is_agent: false },
        ],
        last_message: null,
        last_seq: 0,
        unread_count: 0,
        created_at: expect.any(String),
        settings: { muted_until: null, archived: false, pinned: false },
        unread_mentions: 0,
      });
      expect(Date.parse(conversation!.created_at)).not.toBeNaN();
    });

    it('createConversation: the same pair again, either way round, returns the existing 1:1', async () => {
      const { storage } = fixture();
      const [ann, bob, cy] = await makeUsers(storage, 'ann', 'bob', 'cy');
      const first = await storage.createConversation({
        creatorId: ann!.id,
        otherIds: [bob!.id],
        title: null,
      });
      const again = await storage.createConversation({
        creatorId: bob!.id,
        otherIds: [ann!.id],
        title: null,
      });
      expect(again).toEqual({ id: first.id, created: false });
      const other = await storage.createConversation({ creatorId: ann!.id, otherIds: [cy!.id], title: null });
      expect(other.created).toBe(true);
      expect(other.id).not.toBe(first.id);
    });

    it('createConversation: naming the creator or a member twice is harmless', async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const { id } = await storage.createConversation({
        creatorId: ann!.id,
        otherIds: [bob!.id, ann!.id, bob!.id],
        title: null,
      });
      expect(await storage.memberIds(id)).toEqual([ann!.id, bob!.id]);
      expect((await storage.getConversation(id, ann!.id))!.is_group).toBe(false);
    });

    it('createConversation: two or more others make a group with its title, always new', async () => {
      const { storage } = fixture();
      const [ann, bob, cy] = await makeUsers(storage, 'ann', 'bob', 'cy');
      const input = { creatorId: ann!.id, otherIds: [bob!.id, cy!.id], title: 'Trip' };
      const first = await storage.createConversation(input);
      const second = await storage.createConversation(input);
      expect(first.created && second.created).toBe(true);
      expect(second.id).not.toBe(first.id);
      expect(await storage.getConversation(first.id, bob!.id)).toMatchObject({
        title: 'Trip',
        is_group: true,
      });
      expect(await storage.memberIds(first.id)).toEqual([ann!.id, bob!.id, cy!.id]);
    });

    it('getConversation: an unknown id is null', async () => {
      const { storage } = fixture();
      const [ann] = await makeUsers(storage, 'ann');
      expect(await storage.getConversation(randomUUID(), ann!.id)).toBeNull();
    });

    it('membership: member, not_member or no_conversation', async () => {
      const { storage } = fixture();
      const [ann, bob, eve] = await makeUsers(storage, 'ann', 'bob', 'eve');
      const id = await makeConversation(storage, ann!, [bob!]);
      expect(await storage.membership(id, bob!.id)).toBe('member');
      expect(await storage.membership(id, eve!.id)).toBe('not_member');
      expect(await storage.membership(randomUUID(), ann!.id)).toBe('no_conversation');
      expect(await storage.memberIds(randomUUID())).toEqual([]);
    });

    it('getConversation: last_message is the highest seq, shown deleted; last_seq counts changes too', async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const id = await makeConversation(storage, ann!, [bob!]);
      await send(storage, id, ann!, 'one');
      const two = await send(storage, id, ann!, 'two');
      await storage.setReaction({ message_id: two.id, user_id: bob!.id, reaction: 'like' });
      await storage.deleteMessage({ message_id: two.id, user_id: ann!.id, now: new Date() });

      const conversation = (await storage.getConversation(id, bob!.id))!;
      expect(conversation.last_seq).toBe(4);
      expect(conversation.last_message).toMatchObject({ id: two.id, seq: 2, updated_seq: 4, body: '' });
      expect(conversation.last_message!.deleted_at).not.toBeNull();
    });

    it("unread_count: other members' messages, not deleted, above the viewer's read_seq", async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const id = await makeConversation(storage, ann!, [bob!]);
      const first = await send(storage, id, ann!, 'one');
      await send(storage, id, ann!, 'two');
      await send(storage, id, bob!, 'mine');
      const four = await send(storage, id, ann!, 'four');
      const unread = async () => (await storage.getConversation(id, bob!.id))!.unread_count;

      expect(await unread()).toBe(3);
      await storage.deleteMessage({ message_id: four.id, user_id: ann!.id, now: new Date() });
      expect(await unread()).toBe(2);
      await storage.markRead({ conversation_id: id, user_id: bob!.id, seq: first.seq });
      expect(await unread()).toBe(1);
      expect((await storage.getConversation(id, ann!.id))!.unread_count).toBe(1);
    });

    it("listConversations: only the viewer's, newest message first, one without messages by its created_at", async () => {
      const { storage } = fixture();
      const [ann, bob, cy, dee] = await makeUsers(storage, 'ann', 'bob', 'cy', 'dee');
      const withBob = await makeConversation(storage, ann!, [bob!]);
      const withCy = await makeConversation(storage, ann!, [cy!]);
      await sleep(3);
      const empty = await makeConversation(storage, ann!, [bob!, cy!], 'Empty');
      await makeConversation(storage, bob!, [dee!]);
      await sleep(3);
      await send(storage, withCy, cy!, 'older');
      await sleep(3);
      const newest = await send(storage, withBob, bob!, 'newest');

      const list = await storage.listConversations(ann!.id);
      expect(list.map((c) => c.id)).toEqual([withBob, withCy, empty]);
      expect(list[0]).toEqual(await storage.getConversation(withBob, ann!.id));
      expect(list[0]!.last_message).toEqual(newest);
      expect(list[0]!.unread_count).toBe(1);
      expect(list[2]!.members.map((m) => m.display_name)).toEqual(['Ann', 'Bob', 'Cy']);
      expect(await storage.listConversations(randomUUID())).toEqual([]);
    });

    it('listConversations: a user with many conversations gets each with its own last message and members', async () => {
      const { storage } = fixture();
      const [me, ...others] = await makeUsers(
        storage,
        'me',
        ...Array.from({ length: 60 }, (_, i) => `user${i}`),
      );
      const ids: string[] = [];
      for (const other of others) {
        const id = await makeConversation(storage, me!, [other]);
        await storage.appendMessages([
          {
            conversation_id: id,
            sender_id: other.id,
            client_id: randomUUID(),
            body: `from ${other.id}`,
            mentions: [],
            reply_to: null,
          },
        ]);
        ids.push(id);
      }
      const list = await storage.listConversations(me!.id);
      expect(list).toHaveLength(60);
      for (const conversation of list) {
        const other = conversation.members[1]!;
        expect(conversation.members.map((m) => m.user_id)).toEqual([me!.id, other.user_id]);
        expect(conversation.last_message).toMatchObject({
          sender_id: other.user_id,
          body: `from ${other.user_id}`,
        });
        expect(conversation.unread_count).toBe(1);
      }
      const times = list.map((c) => c.last_message!.created_at);
      expect(times).toEqual([...times].sort().reverse());
    });

    it('listConversationsJson: each conversation as JSON text, values as the message and member readers give them', async () => {
      const { storage } = fixture();
      const [ann, bob, cy] = await makeUsers(storage, 'ann', 'bob', 'cy');
      const odd = 'Quote " back\\slash\nnew line \u2028 tab\t é 😀 <b>&amp;</b>';
      await storage.updateAuthUser(bob!.id, { display_name: `Bob ${odd}` }, new Date());
      const group = await makeConversation(storage, ann!, [bob!, cy!], `Group ${odd}`);
      const [outcome] = await storage.appendMessages([
        newMessage(group, bob!, `Body ${odd}`, { mentions: [ann!.id] }),
      ]);
      const message = createdMessage(outcome);
      await storage.setReaction({ message_id: message.id, user_id: ann!.id, reaction: '😀' });
      await storage.setReaction({ message_id: message.id, user_id: cy!.id, reaction: '👍' });
      await storage.editMessage({
        message_id: message.id,
        user_id: bob!.id,
        body: `Edited ${odd}`,
        now: new Date(),
      });
      const direct = await makeConversation(storage, ann!, [cy!]);
      await storage.updateSettings({
        conversation_id: direct,
        user_id: ann!.id,
        changes: { muted_until: '2100-01-02T03:04:05.678Z', archived: true, pinned: true },
        now: new Date(),
      });

      const json = await storage.listConversationsJson(ann!.id);
      const list = await storage.listConversations(ann!.id);
      expect(json.map((pieces) => JSON.parse(jsonText(pieces)) as unknown)).toEqual(list);
      expect(list.map((c) => c.id)).toEqual([direct, group]);
      expect(list[0]).toEqual(await storage.getConversation(direct, ann!.id));
      expect(list[0]!.settings).toEqual({
        muted_until: '2100-01-02T03:04:05.678Z',
        archived: true,
        pinned: true,
      });
      expect(list[1]).toEqual(await storage.getConversation(group, ann!.id));
      expect(list[1]!.title).toBe(`Group ${odd}`);
      expect(list[1]!.members).toEqual((await storage.joinSnapshot(group, undefined)).members);
      expect(list[1]!.members[1]!.display_name).toBe(`Bob ${odd}`);
      const [stored] = (await storage.messagesBefore(group, undefined, 1)).messages;
      expect(list[1]!.last_message).toEqual(stored);
      expect(stored).toMatchObject({ body: `Edited ${odd}`, mentions: [ann!.id] });
      expect(Object.keys(stored!.reactions)).toEqual(['😀', '👍']);
      expect(list[1]!.unread_mentions).toBe(1);
      expect(await storage.listConversationsJson(randomUUID())).toEqual([]);
    });
  });

  describe('the list through changes', () => {
    // The list keeps each conversation's members and last message between
    // listings (issue 13): after any change, in this process or another one, it
    // must read as each conversation read alone does.
    async function expectListAsRead(storage: Storage, ...viewers: User[]): Promise<void> {
      for (const viewer of viewers) {
        const list = await storage.listConversations(viewer.id);
        const json = await storage.listConversationsJson(viewer.id);
        expect(json.map((pieces) => JSON.parse(jsonText(pieces)) as unknown)).toEqual(list);
        for (const conversation of list) {
          expect(conversation).toEqual(await storage.getConversation(conversation.id, viewer.id));
        }
      }
    }

    it('listConversations: every change to members, names, reads, roles, titles and messages shows at once', async () => {
      const { storage, reopen } = fixture();
      const [ann, bob, cy, dee] = await makeUsers(storage, 'ann', 'bob', 'cy', 'dee');
      const group = await makeConversation(storage, ann!, [bob!, cy!], 'Trip');
      const direct = await makeConversation(storage, ann!, [bob!]);
      const steps: Array<[string, () => Promise<unknown>]> = [
        ['nothing yet', async () => undefined],
        ['a send', () => send(storage, group, bob!, 'first')],
        ['another send', () => send(storage, direct, ann!, 'hi bob')],
        ['the viewer reads', () => storage.markRead({ conversation_id: group, user_id: ann!.id, seq: 1 })],
        ['another member reads', () => storage.markRead({ conversation_id: group, user_id: cy!.id, seq: 1 })],
        [
          'a send mentioning the viewer',
          () => storage.appendMessages([newMessage(group, bob!, 'hey @ann', { mentions: [ann!.id] })]),
        ],
        [
          'an edit of the last message',
          async () => {
            const [last] = (await storage.messagesBefore(group, undefined, 1)).messages;
            return storage.editMessage({
              message_id: last!.id,
              user_id: bob!.id,
              body: 'edited',
              now: new Date(),
            });
          },
        ],
        [
          'a reaction',
          async () => {
            const [last] = (await storage.messagesBefore(group, undefined, 1)).messages;
            return storage.setReaction({ message_id: last!.id, user_id: cy!.id, reaction: '👍' });
          },
        ],
        [
          'an unsend of the last message',
          async () => {
            const [last] = (await storage.messagesBefore(group, undefined, 1)).messages;
            return storage.deleteMessage({ message_id: last!.id, user_id: bob!.id, now: new Date() });
          },
        ],
        [
          'a rename',
          () =>
            storage.changeGroup({
              conversation_id: group,
              actor_id: ann!.id,
              decide: (facts) => planRename(facts, ann!.id, 'Trip 2'),
            }),
        ],
        [
          'a member added',
          () =>
            storage.changeGroup({
              conversation_id: group,
              actor_id: ann!.id,
              decide: (facts) => planAddMembers(facts, ann!.id, [dee!.id], 256),
            }),
        ],
        [
          'a role changed',
          () =>
            storage.changeGroup({
              conversation_id: group,
              actor_id: ann!.id,
              decide: (facts) => planChangeRole(facts, ann!.id, cy!.id, 'admin'),
            }),
        ],
        [
          'a member removed',
          () =>
            storage.changeGroup({
              conversation_id: group,
              actor_id: ann!.id,
              decide: (facts) => planRemoveMember(facts, ann!.id, dee!.id),
            }),
        ],
        ['a new display name', () => storage.updateAuthUser(bob!.id, { display_name: 'Robert' }, new Date())],
        [
          'settings',
          () =>
            storage.updateSettings({
              conversation_id: direct,
              user_id: ann!.id,
              changes: { pinned: true, archived: true },
              now: new Date(),
            }),
        ],
      ];
      for (const [, change] of steps) {
        await change();
        await expectListAsRead(storage, ann!, bob!, cy!);
      }

      // Another process on the same data changes what this one keeps.
      const other = await reopen();
      await expectListAsRead(other, ann!);
      await other.markRead({ conversation_id: direct, user_id: bob!.id, seq: 1 });
      await other.updateAuthUser(cy!.id, { display_name: 'Cyrus' }, new Date());
      await send(other, group, cy!, 'from the other process');
      await expectListAsRead(storage, ann!, bob!);
      const [listed] = await storage.listConversations(bob!.id);
      expect(listed?.members.map((m) => m.display_name)).toEqual(['Ann', 'Robert', 'Cyrus']);
      expect(listed?.last_message?.body).toBe('from the other process');
    });
  });

  describe('the list while it changes', () => {
    it('listConversations: listings running together with changes all answer, and agree once it settles', async () => {
      const { storage } = fixture();
      const [ann, bob, cy] = await makeUsers(storage, 'ann', 'bob', 'cy');
      const ids = [
        await makeConversation(storage, ann!, [bob!, cy!], 'One'),
        await makeConversation(storage, ann!, [bob!, cy!], 'Two'),
        await makeConversation(storage, ann!, [bob!]),
      ];
      const listings: Array<Promise<unknown>> = [];
      for (let round = 0; round < 12; round++) {
        // Listings of one viewer overlap, each starting from what the last one kept.
        listings.push(storage.listConversationsJson(ann!.id), storage.listConversationsJson(bob!.id));
        listings.push(send(storage, ids[round % 3]!, round % 2 ? ann! : bob!, `round ${round}`));
        if (round % 4 === 0) {
          listings.push(storage.updateAuthUser(cy!.id, { display_name: `Cy ${round}` }, new Date()));
        }
        listings.push(storage.listConversationsJson(ann!.id));
      }
      await Promise.all(listings);
      for (const viewer of [ann!, bob!]) {
        const list = await storage.listConversations(viewer.id);
        expect(list).toHaveLength(3);
        for (const conversation of list) {
          expect(conversation).toEqual(await storage.getConversation(conversation.id, viewer.id));
        }
      }
    });
  });

  describe('lastSeqs', () => {
    it('reads the counters of many conversations at once; one that does not exist is left out', async () => {
      const { storage } = fixture();
      const [ann, bob, cy] = await makeUsers(storage, 'ann', 'bob', 'cy');
      const busy = await makeConversation(storage, ann!, [bob!]);
      const quiet = await makeConversation(storage, ann!, [cy!]);
      await send(storage, busy, ann!);
      await send(storage, busy, bob!);
      const unknown = randomUUID();
      const seqs = await storage.lastSeqs([busy, quiet, unknown]);
      expect(seqs).toEqual(
        new Map([
          [busy, 2],
          [quiet, 0],
        ]),
      );
      expect(await storage.lastSeqs([])).toEqual(new Map());
    });
  });

  describe('markRead', () => {
    it('markRead: read_seq grows and shows in members and unread counts', async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const id = await makeConversation(storage, ann!, [bob!]);
      await send(storage, id, ann!);
      await send(storage, id, ann!);
      expect(await storage.markRead({ conversation_id: id, user_id: bob!.id, seq: 1 })).toEqual({
        status: 'changed',
        read_seq: 1,
      });
      const conversation = (await storage.getConversation(id, bob!.id))!;
      expect(conversation.members.find((m) => m.user_id === bob!.id)!.read_seq).toBe(1);
      expect(conversation.unread_count).toBe(1);
    });

    it('markRead: a seq above last_seq is taken as last_seq', async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const id = await makeConversation(storage, ann!, [bob!]);
      await send(storage, id, ann!);
      await send(storage, id, ann!);
      expect(await storage.markRead({ conversation_id: id, user_id: bob!.id, seq: 99 })).toEqual({
        status: 'changed',
        read_seq: 2,
      });
    });

    it('markRead: a seq not above the current read_seq is unchanged with the current read_seq', async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const id = await makeConversation(storage, ann!, [bob!]);
      expect(await storage.markRead({ conversation_id: id, user_id: bob!.id, seq: 5 })).toEqual({
        status: 'unchanged',
        read_seq: 0,
      });
      await send(storage, id, ann!);
      await send(storage, id, ann!);
      await storage.markRead({ conversation_id: id, user_id: bob!.id, seq: 2 });
      for (const seq of [2, 1, 0]) {
        expect(await storage.markRead({ conversation_id: id, user_id: bob!.id, seq })).toEqual({
          status: 'unchanged',
          read_seq: 2,
        });
      }
    });

    it('markRead: not a member is forbidden, an unknown conversation not_found', async () => {
      const { storage } = fixture();
      const [ann, bob, eve] = await makeUsers(storage, 'ann', 'bob', 'eve');
      const id = await makeConversation(storage, ann!, [bob!]);
      expect(await storage.markRead({ conversation_id: id, user_id: eve!.id, seq: 1 })).toMatchObject({
        status: 'rejected',
        code: 'forbidden',
      });
      expect(
        await storage.markRead({ conversation_id: randomUUID(), user_id: ann!.id, seq: 1 }),
      ).toMatchObject({
        status: 'rejected',
        code: 'not_found',
      });
    });
  });
}
