import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Storage } from '../../../src/storage/storage';
import {
  changedMessage,
  createdMessage,
  makeConversation,
  makeUsers,
  newMessage,
  useFixture,
  type MakeStorage,
} from './fixture';

/** Ann and Bob in a 1:1, Eve outside it; Ann starts a streaming message (empty). */
async function scene(storage: Storage) {
  const [ann, bob, eve] = await makeUsers(storage, 'ann', 'bob', 'eve');
  const conversationId = await makeConversation(storage, ann!, [bob!]);
  const [outcome] = await storage.appendMessages([newMessage(conversationId, ann!, '', { streaming: true })]);
  return { ann: ann!, bob: bob!, eve: eve!, conversationId, message: createdMessage(outcome) };
}

/** Section 14: streaming messages, their end, and the checkpoints of live streams. */
export function streamsContract(makeStorage: MakeStorage): void {
  const fixture = useFixture(makeStorage);

  describe('appendMessages streaming', () => {
    it('appendMessages streaming: stored with state streaming, an empty body allowed, one seq', async () => {
      const { storage } = fixture();
      const { conversationId, message } = await scene(storage);
      expect(message).toMatchObject({ body: '', state: 'streaming', seq: 1, updated_seq: 1 });
      expect(await storage.lastSeq(conversationId)).toBe(1);
      const { messages } = await storage.joinSnapshot(conversationId, undefined);
      expect(messages[0]).toEqual(message);
    });

    it('appendMessages: an empty body without streaming is still bad_request', async () => {
      const { storage } = fixture();
      const { ann, conversationId } = await scene(storage);
      const [outcome] = await storage.appendMessages([newMessage(conversationId, ann, '')]);
      expect(outcome).toMatchObject({ status: 'rejected', code: 'bad_request' });
    });
  });

  describe('streamFacts', () => {
    it("streamFacts: the message's conversation, sender, state and whether the actor is a member; null when unknown", async () => {
      const { storage } = fixture();
      const { ann, eve, conversationId, message } = await scene(storage);
      expect(await storage.streamFacts(message.id, ann.id)).toEqual({
        conversation_id: conversationId,
        sender_id: ann.id,
        state: 'streaming',
        deleted_at: null,
        actor_is_member: true,
      });
      expect((await storage.streamFacts(message.id, eve.id))?.actor_is_member).toBe(false);
      expect(await storage.streamFacts(randomUUID(), ann.id)).toBeNull();
    });
  });

  describe('endStream', () => {
    it('endStream: stores body and state as one change (completed, the next seq), the rest unchanged', async () => {
      const { storage } = fixture();
      const { ann, conversationId, message } = await scene(storage);
      const outcome = await storage.endStream({
        message_id: message.id,
        user_id: ann.id,
        body: 'The whole answer',
        state: 'complete',
      });
      expect(outcome).toMatchObject({ status: 'changed', change: 'completed' });
      expect(changedMessage(outcome)).toEqual({
        ...message,
        body: 'The whole answer',
        state: 'complete',
        updated_seq: 2,
      });
      expect(await storage.lastSeq(conversationId)).toBe(2);
      const [change] = await storage.changesSince(conversationId, 1, 10);
      expect(change).toMatchObject({ change: 'completed', message: { state: 'complete' } });
    });

    it('endStream: stopped and interrupted are stored as given', async () => {
      const { storage } = fixture();
      const { ann, conversationId } = await scene(storage);
      for (const state of ['stopped', 'interrupted'] as const) {
        const [sent] = await storage.appendMessages([
          newMessage(conversationId, ann, 'part', { streaming: true }),
        ]);
        const message = createdMessage(sent);
        const outcome = await storage.endStream({
          message_id: message.id,
          user_id: ann.id,
          body: 'part',
          state,
        });
        expect(changedMessage(outcome).state).toBe(state);
      }
    });

    it('endStream: unknown or outside the conversation is not_found, another member forbidden, not streaming conflict', async () => {
      const { storage } = fixture();
      const { ann, bob, eve, conversationId, message } = await scene(storage);
      const end = (message_id: string, user_id: string) =>
        storage.endStream({ message_id, user_id, body: 'x', state: 'complete' });
      expect(await end(randomUUID(), ann.id)).toMatchObject({ status: 'rejected', code: 'not_found' });
      expect(await end(message.id, eve.id)).toMatchObject({ status: 'rejected', code: 'not_found' });
      expect(await end(message.id, bob.id)).toMatchObject({ status: 'rejected', code: 'forbidden' });
      expect(changedMessage(await end(message.id, ann.id)).body).toBe('x');
      expect(await end(message.id, ann.id)).toMatchObject({ status: 'rejected', code: 'conflict' });
      const [plain] = await storage.appendMessages([newMessage(conversationId, ann, 'plain')]);
      expect(await end(createdMessage(plain).id, ann.id)).toMatchObject({
        status: 'rejected',
        code: 'conflict',
      });
      expect(await storage.lastSeq(conversationId)).toBe(3);
    });

    it('endStream: a body with U+0000 is bad_request and nothing changes', async () => {
      const { storage } = fixture();
      const { ann, conversationId, message } = await scene(storage);
      const outcome = await storage.endStream({
        message_id: message.id,
        user_id: ann.id,
        body: 'a\u0000b',
        state: 'complete',
      });
      expect(outcome).toMatchObject({ status: 'rejected', code: 'bad_request' });
      expect(await storage.lastSeq(conversationId)).toBe(1);
      expect((await storage.streamFacts(message.id, ann.id))?.state).toBe('streaming');
    });
  });

  describe('stream checkpoints', () => {
    it('checkpoints: a streaming message is checkpointed from its send; staleStreams lists those older than the cutoff, oldest first', async () => {
      const { storage } = fixture();
      const { ann, conversationId, message } = await scene(storage);
      const [second] = await storage.appendMessages([
        newMessage(conversationId, ann, 'so far', { streaming: true }),
      ]);
      const other = createdMessage(second);
      const sentAt = Date.parse(message.created_at);
      await storage.checkpointStream({
        message_id: message.id,
        body: 'Once upon',
        now: new Date(sentAt + 1000),
      });
      await storage.checkpointStream({
        message_id: other.id,
        body: 'so far, so',
        now: new Date(sentAt + 500),
      });
      expect(await storage.staleStreams(new Date(sentAt + 500), 10)).toEqual([]);
      expect(await storage.staleStreams(new Date(sentAt + 2000), 10)).toEqual([
        { message_id: other.id, conversation_id: conversationId, sender_id: ann.id, body: 'so far, so' },
        { message_id: message.id, conversation_id: conversationId, sender_id: ann.id, body: 'Once upon' },
      ]);
      expect(await storage.staleStreams(new Date(sentAt + 2000), 1)).toHaveLength(1);
    });

    it('checkpoints: an ended stream has none; a plain message never had one', async () => {
      const { storage } = fixture();
      const { ann, conversationId, message } = await scene(storage);
      await storage.appendMessages([newMessage(conversationId, ann, 'plain')]);
      await storage.endStream({ message_id: message.id, user_id: ann.id, body: 'done', state: 'complete' });
      expect(await storage.staleStreams(new Date(Date.now() + 3600_000), 10)).toEqual([]);
    });

    it('checkpoints: a streaming message that was unsent loses its checkpoint when ended (conflict)', async () => {
      const { storage } = fixture();
      const { ann, message } = await scene(storage);
      changedMessage(
        await storage.deleteMessage({ message_id: message.id, user_id: ann.id, now: new Date() }),
      );
      const outcome = await storage.endStream({
        message_id: message.id,
        user_id: ann.id,
        body: 'x',
        state: 'interrupted',
      });
      expect(outcome).toMatchObject({ status: 'rejected', code: 'conflict' });
      expect(await storage.staleStreams(new Date(Date.now() + 3600_000), 10)).toEqual([]);
    });
  });
}
