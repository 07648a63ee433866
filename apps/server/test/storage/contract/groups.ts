import { describe, expect, it } from 'vitest';
import {
  planAddMembers,
  planChangeRole,
  planRemoveMember,
  planRename,
} from '../../../src/domain/group-rules';
import type { GroupChangeOutcome, Storage } from '../../../src/storage/storage';
import {
  makeConversation,
  makeUsers,
  newMessage,
  send,
  sleep,
  useFixture,
  type MakeStorage,
} from './fixture';

/** The system messages a change appended, or a failure naming the outcome. */
function appended(outcome: GroupChangeOutcome) {
  if (outcome.status !== 'changed') throw new Error(`expected changed, got ${JSON.stringify(outcome)}`);
  return outcome.messages;
}

async function roles(storage: Storage, conversationId: string, viewerId: string) {
  const conversation = await storage.getConversation(conversationId, viewerId);
  return Object.fromEntries((conversation?.members ?? []).map((m) => [m.display_name, m.role]));
}

/** docs/protocol.md sections 8-10: groups, system messages, settings and mentions in storage. */
export function groupsContract(makeStorage: MakeStorage): void {
  const fixture = useFixture(makeStorage);

  describe('groups (v2)', () => {
    it('createConversation: the creator of a group is its admin; a 1:1 has no admin', async () => {
      const { storage } = fixture();
      const [ann, bob, cy] = await makeUsers(storage, 'ann', 'bob', 'cy');
      const group = await makeConversation(storage, ann!, [bob!, cy!], 'Trip');
      const direct = await makeConversation(storage, ann!, [bob!]);
      expect(await roles(storage, group, ann!.id)).toEqual({ Ann: 'admin', Bob: 'member', Cy: 'member' });
      expect(await roles(storage, direct, ann!.id)).toEqual({ Ann: 'member', Bob: 'member' });
    });

    it('changeGroup: a rename appends one system message at the next seq, by the actor, and sets the title', async () => {
      const { storage } = fixture();
      const [ann, bob, cy] = await makeUsers(storage, 'ann', 'bob', 'cy');
      const id = await makeConversation(storage, ann!, [bob!, cy!], 'Trip');
      await send(storage, id, ann!);
      const [message] = appended(
        await storage.changeGroup({
          conversation_id: id,
          actor_id: bob!.id,
          decide: (facts) => planRename(facts, bob!.id, 'Road trip'),
        }),
      );
      expect(message).toMatchObject({
        seq: 2,
        updated_seq: 2,
        kind: 'system',
        event: { type: 'renamed', title: 'Road trip' },
        sender_id: bob!.id,
        client_id: null,
        body: '',
        mentions: [],
        attachments: [],
        state: 'complete',
      });
      expect(await storage.getConversation(id, ann!.id)).toMatchObject({ title: 'Road trip', last_seq: 2 });
      expect((await storage.changesSince(id, 1, 10)).map((c) => c.message.id)).toEqual([message!.id]);
    });

    it('changeGroup: a plan with nothing to do takes no seq; a refusal changes nothing', async () => {
      const { storage } = fixture();
      const [ann, bob, cy, eve] = await makeUsers(storage, 'ann', 'bob', 'cy', 'eve');
      const id = await makeConversation(storage, ann!, [bob!, cy!], 'Trip');
      const same = await storage.changeGroup({
        conversation_id: id,
        actor_id: ann!.id,
        decide: (facts) => planRename(facts, ann!.id, 'Trip'),
      });
      expect(same).toEqual({ status: 'unchanged' });
      const outsider = await storage.changeGroup({
        conversation_id: id,
        actor_id: eve!.id,
        decide: (facts) => planRename(facts, eve!.id, 'Mine'),
      });
      expect(outsider).toMatchObject({ status: 'rejected', code: 'forbidden' });
      expect(await storage.lastSeq(id)).toBe(0);
    });

    it('changeGroup: an unknown conversation is not_found', async () => {
      const { storage } = fixture();
      const [ann] = await makeUsers(storage, 'ann');
      const outcome = await storage.changeGroup({
        conversation_id: '00000000-0000-4000-8000-000000000000',
        actor_id: ann!.id,
        decide: (facts) => planRename(facts, ann!.id, 'x'),
      });
      expect(outcome).toMatchObject({ status: 'rejected', code: 'not_found' });
    });

    it('changeGroup: added people become members who see the whole history; removed ones stop being members', async () => {
      const { storage } = fixture();
      const [ann, bob, cy, dee] = await makeUsers(storage, 'ann', 'bob', 'cy', 'dee');
      const id = await makeConversation(storage, ann!, [bob!, cy!], 'Trip');
      await send(storage, id, ann!, 'before dee');
      const [added] = appended(
        await storage.changeGroup({
          conversation_id: id,
          actor_id: bob!.id,
          decide: (facts) => planAddMembers(facts, bob!.id, [dee!.id, cy!.id], 256),
        }),
      );
      expect(added?.event).toEqual({ type: 'members_added', user_ids: [dee!.id] });
      expect(await storage.membership(id, dee!.id)).toBe('member');
      expect((await storage.messagesBefore(id, undefined, 50)).messages.map((m) => m.body)).toContain(
        'before dee',
      );
      const [removed] = appended(
        await storage.changeGroup({
          conversation_id: id,
          actor_id: ann!.id,
          decide: (facts) => planRemoveMember(facts, ann!.id, cy!.id),
        }),
      );
      expect(removed?.event).toEqual({ type: 'member_removed', user_id: cy!.id });
      expect(await storage.membership(id, cy!.id)).toBe('not_member');
      expect((await storage.listConversations(cy!.id)).map((c) => c.id)).not.toContain(id);
      const appendedByCy = await storage.appendMessages([newMessage(id, cy!)]);
      expect(appendedByCy[0]).toMatchObject({ status: 'rejected', code: 'forbidden' });
    });

    it('changeGroup: when the last admin leaves, the longest-standing member becomes admin, recorded right after', async () => {
      const { storage } = fixture();
      const [ann, bob, cy] = await makeUsers(storage, 'ann', 'bob', 'cy');
      const id = await makeConversation(storage, ann!, [cy!, bob!], 'Trip');
      const messages = appended(
        await storage.changeGroup({
          conversation_id: id,
          actor_id: ann!.id,
          decide: (facts) => planRemoveMember(facts, ann!.id, ann!.id),
        }),
      );
      // Bob and Cy joined at the same moment: the smaller user id wins.
      const heir = [bob!, cy!].sort((a, b) => (a.id < b.id ? -1 : 1))[0]!;
      expect(messages.map((m) => m.event)).toEqual([
        { type: 'member_left', user_id: ann!.id },
        { type: 'role_changed', user_id: heir.id, role: 'admin' },
      ]);
      expect(messages.map((m) => m.sender_id)).toEqual([ann!.id, ann!.id]);
      expect(messages.map((m) => m.seq)).toEqual([1, 2]);
      expect((await roles(storage, id, bob!.id))[heir.display_name]).toBe('admin');
    });

    it('changeGroup: a group whose last member leaves is kept, with no members', async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob', 'cy');
      const [cy] = await makeUsers(storage, 'cy');
      const id = await makeConversation(storage, ann!, [bob!, cy!], 'Trip');
      for (const user of [ann!, bob!, cy!]) {
        appended(
          await storage.changeGroup({
            conversation_id: id,
            actor_id: user.id,
            decide: (facts) => planRemoveMember(facts, user.id, user.id),
          }),
        );
      }
      expect(await storage.memberIds(id)).toEqual([]);
      expect(await storage.membership(id, ann!.id)).toBe('not_member');
      expect(await storage.lastSeq(id)).toBeGreaterThanOrEqual(3);
    });

    it('changeGroup: a role change is recorded and applied', async () => {
      const { storage } = fixture();
      const [ann, bob, cy] = await makeUsers(storage, 'ann', 'bob', 'cy');
      const id = await makeConversation(storage, ann!, [bob!, cy!], 'Trip');
      const [message] = appended(
        await storage.changeGroup({
          conversation_id: id,
          actor_id: ann!.id,
          decide: (facts) => planChangeRole(facts, ann!.id, bob!.id, 'admin'),
        }),
      );
      expect(message?.event).toEqual({ type: 'role_changed', user_id: bob!.id, role: 'admin' });
      expect(await roles(storage, id, cy!.id)).toEqual({ Ann: 'admin', Bob: 'admin', Cy: 'member' });
    });

    it('system messages: never counted in unread_count; cannot be edited, unsent or reacted to (bad_request)', async () => {
      const { storage } = fixture();
      const [ann, bob, cy] = await makeUsers(storage, 'ann', 'bob', 'cy');
      const id = await makeConversation(storage, ann!, [bob!, cy!], 'Trip');
      const [system] = appended(
        await storage.changeGroup({
          conversation_id: id,
          actor_id: ann!.id,
          decide: (facts) => planRename(facts, ann!.id, 'New'),
        }),
      );
      expect((await storage.getConversation(id, bob!.id))?.unread_count).toBe(0);
      const base = { message_id: system!.id, user_id: ann!.id };
      expect(await storage.editMessage({ ...base, body: 'x', now: new Date() })).toMatchObject({
        code: 'bad_request',
      });
      expect(await storage.deleteMessage({ ...base, now: new Date() })).toMatchObject({
        code: 'bad_request',
      });
      expect(await storage.setReaction({ ...base, user_id: bob!.id, reaction: 'heart' })).toMatchObject({
        code: 'bad_request',
      });
    });
  });

  describe('settings (v2)', () => {
    it('updateSettings: each member has their own; fields left out stay', async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const id = await makeConversation(storage, ann!, [bob!]);
      const until = '2999-01-01T00:00:00.000Z';
      const now = new Date();
      expect(
        await storage.updateSettings({
          conversation_id: id,
          user_id: ann!.id,
          changes: { muted_until: until },
          now,
        }),
      ).toEqual({ status: 'changed' });
      await storage.updateSettings({
        conversation_id: id,
        user_id: ann!.id,
        changes: { archived: true },
        now,
      });
      expect((await storage.getConversation(id, ann!.id))?.settings).toEqual({
        muted_until: until,
        archived: true,
        pinned: false,
      });
      expect((await storage.getConversation(id, bob!.id))?.settings).toEqual({
        muted_until: null,
        archived: false,
        pinned: false,
      });
      await storage.updateSettings({
        conversation_id: id,
        user_id: ann!.id,
        changes: { muted_until: null },
        now,
      });
      expect((await storage.getConversation(id, ann!.id))?.settings.muted_until).toBeNull();
    });

    it('updateSettings: a non-member is refused forbidden, an unknown conversation not_found', async () => {
      const { storage } = fixture();
      const [ann, bob, eve] = await makeUsers(storage, 'ann', 'bob', 'eve');
      const id = await makeConversation(storage, ann!, [bob!]);
      const now = new Date();
      expect(
        await storage.updateSettings({
          conversation_id: id,
          user_id: eve!.id,
          changes: { pinned: true },
          now,
        }),
      ).toMatchObject({ code: 'forbidden' });
      expect(
        await storage.updateSettings({
          conversation_id: '00000000-0000-4000-8000-000000000000',
          user_id: eve!.id,
          changes: { pinned: true },
          now,
        }),
      ).toMatchObject({ code: 'not_found' });
    });

    it('listConversations: pinned first, most recently pinned first, then by activity', async () => {
      const { storage } = fixture();
      const [ann, bob, cy, dee] = await makeUsers(storage, 'ann', 'bob', 'cy', 'dee');
      const withBob = await makeConversation(storage, ann!, [bob!]);
      const withCy = await makeConversation(storage, ann!, [cy!]);
      const withDee = await makeConversation(storage, ann!, [dee!]);
      // Activity is ordered by time: a millisecond apart, so the order is the sends'.
      await send(storage, withBob, bob!);
      await sleep(3);
      await send(storage, withCy, cy!);
      await sleep(3);
      await send(storage, withDee, dee!);
      const pin = (id: string, at: string) =>
        storage.updateSettings({
          conversation_id: id,
          user_id: ann!.id,
          changes: { pinned: true },
          now: new Date(at),
        });
      await pin(withBob, '2030-01-01T00:00:00.000Z');
      await pin(withCy, '2030-01-02T00:00:00.000Z');
      expect((await storage.listConversations(ann!.id)).map((c) => c.id)).toEqual([withCy, withBob, withDee]);
      await storage.updateSettings({
        conversation_id: withCy,
        user_id: ann!.id,
        changes: { pinned: false },
        now: new Date(),
      });
      expect((await storage.listConversations(ann!.id)).map((c) => c.id)).toEqual([withBob, withDee, withCy]);
      // Bob's own list is untouched by Ann's pins.
      expect((await storage.listConversations(bob!.id))[0]?.settings.pinned).toBe(false);
    });
  });

  describe('mentions (v2)', () => {
    it('appendMessages: mentions are kept as sent; a non-member mentioned is bad_request', async () => {
      const { storage } = fixture();
      const [ann, bob, cy, eve] = await makeUsers(storage, 'ann', 'bob', 'cy', 'eve');
      const id = await makeConversation(storage, ann!, [bob!, cy!], 'Trip');
      const [ok, refused] = await storage.appendMessages([
        newMessage(id, ann!, '@Cy @Bob', { mentions: [cy!.id, bob!.id] }),
        newMessage(id, ann!, '@Eve', { mentions: [eve!.id] }),
      ]);
      expect(ok).toMatchObject({ status: 'created', message: { mentions: [cy!.id, bob!.id] } });
      expect(refused).toMatchObject({ status: 'rejected', code: 'bad_request' });
    });

    it("unread_mentions: others' unread, undeleted messages that mention the viewer", async () => {
      const { storage } = fixture();
      const [ann, bob, cy] = await makeUsers(storage, 'ann', 'bob', 'cy');
      const id = await makeConversation(storage, ann!, [bob!, cy!], 'Trip');
      const outcomes = await storage.appendMessages([
        newMessage(id, bob!, '@Ann one', { mentions: [ann!.id] }),
        newMessage(id, cy!, '@Ann two', { mentions: [ann!.id] }),
        newMessage(id, cy!, '@Bob', { mentions: [bob!.id] }),
        newMessage(id, ann!, '@Ann myself', { mentions: [ann!.id] }),
      ]);
      const view = () => storage.getConversation(id, ann!.id);
      expect((await view())?.unread_mentions).toBe(2);
      const second = outcomes[1]?.status === 'created' ? outcomes[1].message : null;
      await storage.deleteMessage({ message_id: second!.id, user_id: cy!.id, now: new Date() });
      expect((await view())?.unread_mentions).toBe(1);
      await storage.markRead({ conversation_id: id, user_id: ann!.id, seq: 1 });
      expect((await view())?.unread_mentions).toBe(0);
      expect((await storage.listConversations(bob!.id))[0]?.unread_mentions).toBe(1);
    });
  });
}
