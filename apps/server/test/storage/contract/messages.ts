import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createdMessage,
  makeConversation,
  makeUsers,
  newMessage,
  send,
  sendMany,
  useFixture,
  type MakeStorage,
} from './fixture';

export function messagesContract(makeStorage: MakeStorage): void {
  const fixture = useFixture(makeStorage);

  describe('appendMessages', () => {
    it('appendMessages: a new message takes the next seq as seq and updated_seq, in the protocol shape', async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const id = await makeConversation(storage, ann!, [bob!]);
      const input = newMessage(id, ann!, 'hi there');
      const before = Date.now();
      const message = createdMessage((await storage.appendMessages([input]))[0]);

      expect(message).toMatchObject({
        conversation_id: id,
        seq: 1,
        updated_seq: 1,
        sender_id: ann!.id,
        client_id: input.client_id,
        body: 'hi there',
        reply_to: null,
        edited_at: null,
        deleted_at: null,
        reactions: {},
      });
      expect(Date.parse(message.created_at)).toBeGreaterThanOrEqual(before - 1000);
      expect(message.created_at).toBe(new Date(message.created_at).toISOString());
      expect(await storage.lastSeq(id)).toBe(1);
    });

    it('appendMessages: a batch takes consecutive seqs, outcomes in input order', async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const id = await makeConversation(storage, ann!, [bob!]);
      await send(storage, id, bob!);
      const batch = [newMessage(id, ann!, 'a'), newMessage(id, bob!, 'b'), newMessage(id, ann!, 'c')];
      const messages = (await storage.appendMessages(batch)).map(createdMessage);
      expect(messages.map((m) => [m.body, m.seq])).toEqual([
        ['a', 2],
        ['b', 3],
        ['c', 4],
      ]);
      expect(await storage.lastSeq(id)).toBe(4);
      expect(await storage.appendMessages([])).toEqual([]);
    });

    it('appendMessages: a retried client_id returns the stored message as duplicate and takes no seq', async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const id = await makeConversation(storage, ann!, [bob!]);
      const input = newMessage(id, ann!, 'once');
      const stored = createdMessage((await storage.appendMessages([input]))[0]);

      const [retry] = await storage.appendMessages([{ ...input, body: 'changed on retry' }]);
      expect(retry).toEqual({ status: 'duplicate', message: stored });
      expect(await storage.lastSeq(id)).toBe(1);
      expect(createdMessage((await storage.appendMessages([newMessage(id, ann!)]))[0]).seq).toBe(2);
    });

    it('appendMessages: a client_id repeated in one batch is a duplicate of the earlier item', async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const id = await makeConversation(storage, ann!, [bob!]);
      const input = newMessage(id, ann!);
      const [first, second, third] = await storage.appendMessages([input, input, newMessage(id, ann!)]);
      const stored = createdMessage(first);
      expect(second).toEqual({ status: 'duplicate', message: stored });
      expect(createdMessage(third).seq).toBe(2);
    });

    it('appendMessages: (sender, client_id) is unique per sender, across conversations', async () => {
      const { storage } = fixture();
      const [ann, bob, cy] = await makeUsers(storage, 'ann', 'bob', 'cy');
      const withBob = await makeConversation(storage, ann!, [bob!]);
      const withCy = await makeConversation(storage, ann!, [cy!]);
      const input = newMessage(withBob, ann!);
      const stored = createdMessage((await storage.appendMessages([input]))[0]);

      const [elsewhere] = await storage.appendMessages([{ ...input, conversation_id: withCy }]);
      expect(elsewhere).toEqual({ status: 'duplicate', message: stored });
      expect(await storage.lastSeq(withCy)).toBe(0);

      const [otherSender] = await storage.appendMessages([{ ...input, sender_id: bob!.id }]);
      expect(createdMessage(otherSender)).toMatchObject({
        sender_id: bob!.id,
        client_id: input.client_id,
        seq: 2,
      });
    });

    it('appendMessages: a rejected item does not affect the others, and takes no seq', async () => {
      const { storage } = fixture();
      const [ann, bob, eve] = await makeUsers(storage, 'ann', 'bob', 'eve');
      const id = await makeConversation(storage, ann!, [bob!]);
      const elsewhere = await makeConversation(storage, ann!, [eve!]);
      const foreign = await send(storage, elsewhere, ann!);

      const outcomes = await storage.appendMessages([
        newMessage(id, ann!, 'ok 1'),
        newMessage(randomUUID(), ann!),
        newMessage(id, eve!),
        newMessage(id, ann!, 'reply', { reply_to: foreign.id }),
        newMessage(id, ann!, 'reply', { reply_to: randomUUID() }),
        newMessage(id, bob!, 'ok 2'),
      ]);
      expect(outcomes.map((o) => o.status === 'rejected' && o.code)).toEqual([
        false,
        'not_found',
        'forbidden',
        'bad_request',
        'bad_request',
        false,
      ]);
      expect(outcomes[1]).toMatchObject({ message: 'conversation not found' });
      expect([createdMessage(outcomes[0]).seq, createdMessage(outcomes[5]).seq]).toEqual([1, 2]);
      expect(await storage.lastSeq(id)).toBe(2);
    });

    it('appendMessages: a body with U+0000 is refused bad_request alone, on every driver', async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const id = await makeConversation(storage, ann!, [bob!]);
      const outcomes = await storage.appendMessages([
        newMessage(id, ann!, 'before'),
        newMessage(id, ann!, 'nul \u0000 inside'),
        newMessage(id, bob!, 'after'),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['created', 'rejected', 'created']);
      expect(outcomes[1]).toMatchObject({ code: 'bad_request', message: 'body must not contain U+0000' });
      expect(await storage.lastSeq(id)).toBe(2);
      const edit = await storage.editMessage({
        message_id: createdMessage(outcomes[0]).id,
        user_id: ann!.id,
        body: 'edited \u0000',
        now: new Date(),
      });
      expect(edit).toMatchObject({ status: 'rejected', code: 'bad_request' });
      expect(await storage.lastSeq(id)).toBe(2);
    });

    it('appendMessages: reply_to a message of the same conversation is kept', async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const id = await makeConversation(storage, ann!, [bob!]);
      const original = await send(storage, id, ann!);
      const [outcome] = await storage.appendMessages([
        newMessage(id, bob!, 'yes', { reply_to: original.id }),
      ]);
      expect(createdMessage(outcome).reply_to).toBe(original.id);
    });

    it('appendMessages: concurrent batches to one conversation take distinct, gapless seqs', async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const id = await makeConversation(storage, ann!, [bob!]);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          storage.appendMessages([newMessage(id, i % 2 ? ann! : bob!), newMessage(id, ann!)]),
        ),
      );
      const seqs = results.flat().map((o) => createdMessage(o).seq);
      expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    });
  });

  describe('history', () => {
    it('messagesBefore: the newest `limit` below before_seq, in ascending seq, with has_more', async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const id = await makeConversation(storage, ann!, [bob!]);
      await sendMany(storage, id, ann!, 10);
      const seqs = async (before: number | undefined, limit: number) => {
        const page = await storage.messagesBefore(id, before, limit);
        return [page.messages.map((m) => m.seq), page.has_more];
      };

      expect(await seqs(undefined, 3)).toEqual([[8, 9, 10], true]);
      expect(await seqs(8, 3)).toEqual([[5, 6, 7], true]);
      expect(await seqs(4, 3)).toEqual([[1, 2, 3], false]);
      expect(await seqs(3, 5)).toEqual([[1, 2], false]);
      expect(await seqs(1, 5)).toEqual([[], false]);
      expect(await seqs(undefined, 10)).toEqual([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], false]);
    });

    it('messagesBefore and lastSeq: an empty or unknown conversation has nothing and last_seq 0', async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const id = await makeConversation(storage, ann!, [bob!]);
      expect(await storage.messagesBefore(id, undefined, 50)).toEqual({ messages: [], has_more: false });
      expect(await storage.lastSeq(id)).toBe(0);
      expect(await storage.lastSeq(randomUUID())).toBe(0);
    });

    it('ping: resolves while the store is open', async () => {
      await expect(fixture().storage.ping()).resolves.toBeUndefined();
    });
  });
}
