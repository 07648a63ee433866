import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { JOIN_PAGE_SIZE, JOIN_SINCE_MAX } from '@chat/protocol';
import {
  after,
  createdMessage,
  makeConversation,
  makeUsers,
  newMessage,
  send,
  sendMany,
  useFixture,
  type MakeStorage,
} from './fixture';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

export function snapshotContract(makeStorage: MakeStorage): void {
  const fixture = useFixture(makeStorage);

  describe('joinSnapshot', () => {
    it('joinSnapshot: last_seq and the members with display names and read_seq', async () => {
      const { storage } = fixture();
      const [ann, bob, cy] = await makeUsers(storage, 'ann', 'bob', 'cy');
      const id = await makeConversation(storage, ann!, [bob!, cy!], 'Group');
      await sendMany(storage, id, ann!, 3);
      await storage.markRead({ conversation_id: id, user_id: bob!.id, seq: 2 });

      const snapshot = await storage.joinSnapshot(id, undefined);
      expect(snapshot.last_seq).toBe(3);
      expect(snapshot.members).toEqual([
        { user_id: ann!.id, display_name: 'Ann', read_seq: 0, role: 'admin', is_agent: false },
        { user_id: bob!.id, display_name: 'Bob', read_seq: 2, role: 'member', is_agent: false },
        { user_id: cy!.id, display_name: 'Cy', read_seq: 0, role: 'member', is_agent: false },
      ]);
      expect(snapshot.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
      expect(snapshot.has_more).toBe(false);
    });

    it('joinSnapshot again right after each kind of change: the change is in it (nothing kept is stale)', async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const id = await makeConversation(storage, ann!, [bob!], 'Group');
      const [first] = await sendMany(storage, id, ann!, 2);
      const join = () => storage.joinSnapshot(id, undefined);
      const readSeqOf = async (userId: string) =>
        (await join()).members.find((member) => member.user_id === userId)?.read_seq;

      expect((await join()).messages.map((m) => m.seq)).toEqual([1, 2]);
      await storage.markRead({ conversation_id: id, user_id: bob!.id, seq: 2 });
      expect(await readSeqOf(bob!.id)).toBe(2);
      await storage.setReaction({ message_id: first!.id, user_id: bob!.id, reaction: 'like' });
      expect((await join()).messages[0]!.reactions).toEqual({ like: [bob!.id] });
      await storage.editMessage({
        message_id: first!.id,
        user_id: ann!.id,
        body: 'edited',
        now: after(first!, 1),
      });
      expect((await join()).messages[0]!.body).toBe('edited');
      await send(storage, id, bob!);
      expect((await join()).messages.map((m) => m.seq)).toEqual([1, 2, 5]);
      // A resume (since_seq) after all that: the same members, the changes since.
      expect((await storage.joinSnapshot(id, 4)).messages.map((m) => m.seq)).toEqual([5]);
      // A resume that holds everything: no messages, the members and last_seq as ever.
      const current = await storage.joinSnapshot(id, 5);
      expect(current).toMatchObject({ last_seq: 5, messages: [], has_more: false });
      expect(current.members.map((member) => member.read_seq)).toEqual([0, 2]);
      expect((await storage.joinSnapshot(id, 9)).messages).toEqual([]);
    });

    it('joinSnapshot without since: the newest 50 in seq order; has_more when older ones exist', async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const id = await makeConversation(storage, ann!, [bob!]);
      await sendMany(storage, id, ann!, JOIN_PAGE_SIZE);
      const exact = await storage.joinSnapshot(id, undefined);
      expect(exact.messages.map((m) => m.seq)).toEqual(range(1, JOIN_PAGE_SIZE));
      expect(exact.has_more).toBe(false);

      await send(storage, id, bob!);
      const over = await storage.joinSnapshot(id, undefined);
      expect(over.messages.map((m) => m.seq)).toEqual(range(2, JOIN_PAGE_SIZE + 1));
      expect(over.has_more).toBe(true);
    });

    it('joinSnapshot with since: every message changed after it, in updated_seq order', async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const id = await makeConversation(storage, ann!, [bob!]);
      const [first, second] = await sendMany(storage, id, ann!, 3);
      await storage.editMessage({
        message_id: first!.id,
        user_id: ann!.id,
        body: 'edited',
        now: after(first!, 1),
      });
      await storage.setReaction({ message_id: second!.id, user_id: bob!.id, reaction: 'like' });

      const snapshot = await storage.joinSnapshot(id, 2);
      expect(snapshot.messages.map((m) => [m.seq, m.updated_seq])).toEqual([
        [3, 3],
        [1, 4],
        [2, 5],
      ]);
      expect(snapshot.messages[1]!.body).toBe('edited');
      expect(snapshot).toMatchObject({ last_seq: 5, has_more: false });
      expect(await storage.joinSnapshot(id, 5)).toMatchObject({ messages: [], has_more: false });
    });

    it('joinSnapshot with since: at most 500; has_more when more than 500 changed', async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const id = await makeConversation(storage, ann!, [bob!]);
      const total = JOIN_SINCE_MAX + 20;
      const messages = await sendMany(storage, id, ann!, total);
      // Changes to old messages move them past the new ones.
      await storage.setReaction({ message_id: messages[0]!.id, user_id: bob!.id, reaction: 'love' });
      await storage.setReaction({ message_id: messages[1]!.id, user_id: bob!.id, reaction: 'love' });

      const fromStart = await storage.joinSnapshot(id, 0);
      expect(fromStart.messages).toHaveLength(JOIN_SINCE_MAX);
      expect(fromStart.messages[0]!.updated_seq).toBe(3);
      expect(fromStart.has_more).toBe(true);

      const exactly = await storage.joinSnapshot(id, total + 2 - JOIN_SINCE_MAX);
      expect(exactly.messages.map((m) => m.updated_seq)).toEqual(
        range(total + 3 - JOIN_SINCE_MAX, total + 2),
      );
      expect(exactly.has_more).toBe(false);

      const oneOver = await storage.joinSnapshot(id, total + 1 - JOIN_SINCE_MAX);
      expect(oneOver.messages).toHaveLength(JOIN_SINCE_MAX);
      expect(oneOver.has_more).toBe(true);
    });

    it('joinSnapshot: an unknown conversation is empty', async () => {
      const { storage } = fixture();
      expect(await storage.joinSnapshot(randomUUID(), undefined)).toEqual({
        last_seq: 0,
        members: [],
        messages: [],
        has_more: false,
      });
    });
  });

  describe('durability and several servers', () => {
    it('close and reopen: users, sessions, conversations, messages and counters are all there', async () => {
      const { storage, reopen } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const id = await makeConversation(storage, ann!, [bob!]);
      const [first] = await sendMany(storage, id, ann!, 3);
      await storage.setReaction({ message_id: first!.id, user_id: bob!.id, reaction: 'like' });
      await storage.markRead({ conversation_id: id, user_id: bob!.id, seq: 2 });
      const pat = await storage.createPasswordUser({
        id: randomUUID(),
        email: 'pat@example.com',
        display_name: 'Pat',
        password_hash: 'h',
        user_metadata: {},
      });
      await storage.createAuthSession({ id: randomUUID(), user_id: pat!.id, refresh_token_hash: 't1' });
      const conversationBefore = await storage.getConversation(id, bob!.id);
      const snapshotBefore = await storage.joinSnapshot(id, undefined);
      await storage.close();

      const reopened = await reopen();
      expect(await reopened.getUser(ann!.id)).toEqual(ann);
      expect(await reopened.findAuthUserByEmail('pat@example.com')).toEqual(pat);
      expect(await reopened.rotateRefreshToken('t1', 't2')).toMatchObject({ user_id: pat!.id });
      expect(await reopened.getConversation(id, bob!.id)).toEqual(conversationBefore);
      expect(await reopened.joinSnapshot(id, undefined)).toEqual(snapshotBefore);
      expect((await send(reopened, id, bob!)).seq).toBe(5);
    });

    it('two stores on the same data share one counter and one (sender, client_id) index', async () => {
      const { storage, reopen } = fixture();
      const other = await reopen();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const id = await makeConversation(other, ann!, [bob!]);
      const input = newMessage(id, ann!);
      const results = await Promise.all([
        storage.appendMessages([input, newMessage(id, bob!)]),
        other.appendMessages([newMessage(id, ann!), input]),
      ]);
      const outcomes = results.flat();
      expect(outcomes.filter((o) => o.status === 'created')).toHaveLength(3);
      expect(outcomes.filter((o) => o.status === 'duplicate')).toHaveLength(1);
      const seqs = outcomes.filter((o) => o.status === 'created').map((o) => createdMessage(o).seq);
      expect(seqs.sort((a, b) => a - b)).toEqual([1, 2, 3]);
      expect(await storage.lastSeq(id)).toBe(3);
      expect(await storage.joinSnapshot(id, undefined)).toEqual(await other.joinSnapshot(id, undefined));
    });
  });
}
