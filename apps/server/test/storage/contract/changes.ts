import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DELETE_WINDOW_MS, EDIT_WINDOW_MS, MAX_EDITS } from '@chat/protocol';
import type { Storage } from '../../../src/storage/storage';
import {
  after,
  changedMessage,
  makeConversation,
  makeUsers,
  send,
  useFixture,
  type MakeStorage,
} from './fixture';

/** Ann and Bob in a 1:1, Eve outside it, one message of Ann's. */
async function scene(storage: Storage) {
  const [ann, bob, eve] = await makeUsers(storage, 'ann', 'bob', 'eve');
  const conversationId = await makeConversation(storage, ann!, [bob!]);
  const message = await send(storage, conversationId, ann!, 'original');
  return { ann: ann!, bob: bob!, eve: eve!, conversationId, message };
}

export function changesContract(makeStorage: MakeStorage): void {
  const fixture = useFixture(makeStorage);

  describe('editMessage', () => {
    it('editMessage: the body changes, edited_at is now, updated_seq takes the next seq, seq stays', async () => {
      const { storage } = fixture();
      const { ann, conversationId, message } = await scene(storage);
      const now = after(message, 1000);
      const outcome = await storage.editMessage({
        message_id: message.id,
        user_id: ann.id,
        body: 'fixed',
        now,
      });
      expect(outcome).toMatchObject({ status: 'changed', change: 'edited' });
      expect(changedMessage(outcome)).toEqual({
        ...message,
        body: 'fixed',
        updated_seq: 2,
        edited_at: now.toISOString(),
      });
      expect(await storage.lastSeq(conversationId)).toBe(2);
    });

    it("editMessage: unknown or outside the editor's conversations is not_found; another's is forbidden", async () => {
      const { storage } = fixture();
      const { bob, eve, message } = await scene(storage);
      const edit = (message_id: string, user_id: string) =>
        storage.editMessage({ message_id, user_id, body: 'x', now: new Date() });
      expect(await edit(randomUUID(), bob.id)).toMatchObject({ status: 'rejected', code: 'not_found' });
      expect(await edit(message.id, eve.id)).toMatchObject({ status: 'rejected', code: 'not_found' });
      expect(await edit(message.id, bob.id)).toMatchObject({ status: 'rejected', code: 'forbidden' });
    });

    it('editMessage: allowed up to 15 minutes after created_at, conflict after', async () => {
      const { storage } = fixture();
      const { ann, conversationId, message } = await scene(storage);
      const edit = (body: string, now: Date) =>
        storage.editMessage({ message_id: message.id, user_id: ann.id, body, now });
      expect(await edit('late', after(message, EDIT_WINDOW_MS + 1))).toMatchObject({
        status: 'rejected',
        code: 'conflict',
      });
      expect(await storage.lastSeq(conversationId)).toBe(1);
      expect((await edit('just in time', after(message, EDIT_WINDOW_MS))).status).toBe('changed');
    });

    it('editMessage: at most 5 edits, the sixth is conflict', async () => {
      const { storage } = fixture();
      const { ann, conversationId, message } = await scene(storage);
      const edit = (body: string) =>
        storage.editMessage({ message_id: message.id, user_id: ann.id, body, now: after(message, 1) });
      for (let i = 1; i <= MAX_EDITS; i++) expect((await edit(`edit ${i}`)).status).toBe('changed');
      expect(await edit('one too many')).toMatchObject({ status: 'rejected', code: 'conflict' });
      expect(await storage.lastSeq(conversationId)).toBe(1 + MAX_EDITS);
    });

    it('editMessage: the same body again is unchanged, takes no seq and counts no edit', async () => {
      const { storage } = fixture();
      const { ann, conversationId, message } = await scene(storage);
      const outcome = await storage.editMessage({
        message_id: message.id,
        user_id: ann.id,
        body: 'original',
        now: after(message, 1),
      });
      expect(outcome).toEqual({ status: 'unchanged', message });
      expect(await storage.lastSeq(conversationId)).toBe(1);
    });
  });

  describe('deleteMessage', () => {
    it('deleteMessage: body "", deleted_at now, reactions cleared, next seq; the message is then final', async () => {
      const { storage } = fixture();
      const { ann, bob, message } = await scene(storage);
      await storage.setReaction({ message_id: message.id, user_id: bob.id, reaction: 'love' });
      const now = after(message, 1000);
      const outcome = await storage.deleteMessage({ message_id: message.id, user_id: ann.id, now });
      expect(outcome).toMatchObject({ status: 'changed', change: 'deleted' });
      expect(changedMessage(outcome)).toEqual({
        ...message,
        body: '',
        deleted_at: now.toISOString(),
        reactions: {},
        updated_seq: 3,
      });

      const conflict = { status: 'rejected', code: 'conflict' };
      const ids = { message_id: message.id, user_id: ann.id, now };
      expect(await storage.editMessage({ ...ids, body: 'again' })).toMatchObject(conflict);
      expect(await storage.deleteMessage(ids)).toMatchObject(conflict);
      expect(
        await storage.setReaction({ message_id: message.id, user_id: bob.id, reaction: 'like' }),
      ).toMatchObject(conflict);
    });

    it('deleteMessage: only the sender (forbidden), members only (not_found), within 2 minutes (conflict)', async () => {
      const { storage } = fixture();
      const { ann, bob, eve, conversationId, message } = await scene(storage);
      const del = (user_id: string, ms: number) =>
        storage.deleteMessage({ message_id: message.id, user_id, now: after(message, ms) });
      expect(await del(bob.id, 1)).toMatchObject({ status: 'rejected', code: 'forbidden' });
      expect(await del(eve.id, 1)).toMatchObject({ status: 'rejected', code: 'not_found' });
      expect(await del(ann.id, DELETE_WINDOW_MS + 1)).toMatchObject({ status: 'rejected', code: 'conflict' });
      expect(await storage.lastSeq(conversationId)).toBe(1);
      expect((await del(ann.id, DELETE_WINDOW_MS)).status).toBe('changed');
    });
  });

  describe('setReaction', () => {
    it('setReaction: one per user; a new one replaces the old, null removes, users in the order they reacted', async () => {
      const { storage } = fixture();
      const { ann, bob, message } = await scene(storage);
      const react = async (user_id: string, reaction: string | null) => {
        const outcome = await storage.setReaction({ message_id: message.id, user_id, reaction });
        expect(outcome).toMatchObject({ status: 'changed', change: 'reaction' });
        return changedMessage(outcome);
      };

      expect((await react(bob.id, 'love')).reactions).toEqual({ love: [bob.id] });
      expect((await react(ann.id, 'love')).reactions).toEqual({ love: [bob.id, ann.id] });
      expect((await react(bob.id, '👍🏽')).reactions).toEqual({ love: [ann.id], '👍🏽': [bob.id] });
      expect((await react(ann.id, '👍🏽')).reactions).toEqual({ '👍🏽': [bob.id, ann.id] });
      const last = await react(bob.id, null);
      expect(last.reactions).toEqual({ '👍🏽': [ann.id] });
      expect(last.updated_seq).toBe(6);
    });

    it('setReaction: the same reaction again, or removing none, is unchanged and takes no seq', async () => {
      const { storage } = fixture();
      const { bob, conversationId, message } = await scene(storage);
      const react = (reaction: string | null) =>
        storage.setReaction({ message_id: message.id, user_id: bob.id, reaction });
      expect(await react(null)).toEqual({ status: 'unchanged', message });
      const liked = changedMessage(await react('like'));
      expect(await react('like')).toEqual({ status: 'unchanged', message: liked });
      expect(await storage.lastSeq(conversationId)).toBe(2);
    });

    it('setReaction: any member may react; outside the conversation or unknown is not_found', async () => {
      const { storage } = fixture();
      const { ann, eve, message } = await scene(storage);
      expect(
        (await storage.setReaction({ message_id: message.id, user_id: ann.id, reaction: 'laugh' })).status,
      ).toBe('changed');
      expect(
        await storage.setReaction({ message_id: message.id, user_id: eve.id, reaction: 'laugh' }),
      ).toMatchObject({
        status: 'rejected',
        code: 'not_found',
      });
      expect(
        await storage.setReaction({ message_id: randomUUID(), user_id: ann.id, reaction: 'laugh' }),
      ).toMatchObject({ status: 'rejected', code: 'not_found' });
    });
  });

  describe('the counter', () => {
    it('seqs are gapless across mixed sends, edits, deletes and reactions; no-ops and rejections take none', async () => {
      const { storage } = fixture();
      const { ann, bob, conversationId, message } = await scene(storage);
      const taken = [message.updated_seq];
      const record = (m: { updated_seq: number }) => taken.push(m.updated_seq);
      const now = after(message, 1);

      record(await send(storage, conversationId, bob, 'two'));
      record(
        changedMessage(
          await storage.editMessage({ message_id: message.id, user_id: ann.id, body: 'e', now }),
        ),
      );
      record(
        changedMessage(
          await storage.setReaction({ message_id: message.id, user_id: bob.id, reaction: 'like' }),
        ),
      );
      await storage.setReaction({ message_id: message.id, user_id: bob.id, reaction: 'like' });
      await storage.editMessage({ message_id: message.id, user_id: bob.id, body: 'not mine', now });
      record(await send(storage, conversationId, ann, 'three'));
      record(changedMessage(await storage.deleteMessage({ message_id: message.id, user_id: ann.id, now })));
      record(await send(storage, conversationId, bob, 'four'));

      expect(taken).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(await storage.lastSeq(conversationId)).toBe(7);
    });

    it('changesSince: messages changed after a seq, in updated_seq order, each with its last change', async () => {
      const { storage } = fixture();
      const { ann, bob, conversationId, message } = await scene(storage);
      const two = await send(storage, conversationId, bob, 'two');
      const three = await send(storage, conversationId, ann, 'three');
      const now = after(message, 1);
      await storage.setReaction({ message_id: two.id, user_id: ann.id, reaction: 'like' });
      await storage.editMessage({ message_id: message.id, user_id: ann.id, body: 'edited', now });
      await storage.deleteMessage({ message_id: three.id, user_id: ann.id, now });

      const changes = await storage.changesSince(conversationId, 1, 100);
      expect(changes.map((c) => [c.message.id, c.message.updated_seq, c.change])).toEqual([
        [two.id, 4, 'reaction'],
        [message.id, 5, 'edited'],
        [three.id, 6, 'deleted'],
      ]);
      expect((await storage.changesSince(conversationId, 0, 1)).map((c) => c.change)).toEqual(['reaction']);
      const fresh = await send(storage, conversationId, bob, 'fresh');
      expect(await storage.changesSince(conversationId, 6, 100)).toEqual([
        { message: fresh, change: 'created' },
      ]);
      expect(await storage.changesSince(conversationId, 7, 100)).toEqual([]);
    });

    it('changesSince and joinSnapshot(since): what a model of sends and changes says, for any since and limit', async () => {
      const { storage } = fixture();
      const [ann, bob, cat] = await makeUsers(storage, 'ann', 'bob', 'cat');
      // Each op sends a message, or changes the message it picks (a reaction that differs from the last).
      const ops = fc.array(fc.option(fc.nat(), { nil: null, freq: 2 }), { minLength: 1, maxLength: 30 });
      await fc.assert(
        fc.asyncProperty(ops, fc.nat(), fc.integer({ min: 1, max: 8 }), async (steps, sinceSeed, limit) => {
          // A group: a new conversation each run (a 1:1 of the same two would be the same one).
          const conversationId = await makeConversation(storage, ann!, [bob!, cat!]);
          const { messages: opening, last_seq: openingSeq } = await storage.joinSnapshot(
            conversationId,
            undefined,
          );
          const model = opening.map((m) => ({ id: m.id, updated_seq: m.updated_seq, reaction: '' }));
          let lastSeq = openingSeq;
          for (const pick of steps) {
            const target = pick === null || model.length === 0 ? null : model[pick % model.length]!;
            if (target === null) {
              const sent = await send(storage, conversationId, ann!, `message ${lastSeq + 1}`);
              model.push({ id: sent.id, updated_seq: (lastSeq = sent.seq), reaction: '' });
            } else {
              target.reaction = target.reaction === 'like' ? 'love' : 'like';
              const outcome = await storage.setReaction({
                message_id: target.id,
                user_id: bob!.id,
                reaction: target.reaction,
              });
              target.updated_seq = lastSeq = changedMessage(outcome).updated_seq;
            }
          }
          const since = sinceSeed % (lastSeq + 1);
          const expected = model
            .filter((m) => m.updated_seq > since)
            .sort((a, b) => a.updated_seq - b.updated_seq)
            .map((m) => [m.id, m.updated_seq]);
          const changes = await storage.changesSince(conversationId, since, limit);
          expect(changes.map((c) => [c.message.id, c.message.updated_seq])).toEqual(expected.slice(0, limit));
          const snapshot = await storage.joinSnapshot(conversationId, since);
          expect(snapshot.messages.map((m) => [m.id, m.updated_seq])).toEqual(expected);
        }),
        { numRuns: 40 },
      );
    });
  });
}
