import { randomUUID } from 'node:crypto';
import type { User } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import type { NewAttachment, Storage } from '../../../src/storage/storage';
import {
  changedMessage,
  createdMessage,
  makeConversation,
  makeUsers,
  newMessage,
  useFixture,
  type MakeStorage,
} from './fixture';

/** An upload record as the upload route writes it, created `ageMs` ago. */
async function upload(
  storage: Storage,
  uploader: User,
  ageMs = 0,
  name = 'photo.png',
): Promise<NewAttachment> {
  const id = randomUUID();
  const attachment: NewAttachment = {
    id,
    uploader_id: uploader.id,
    name,
    mime_type: 'image/png',
    size: 1234,
    width: 640,
    height: 480,
    storage_key: `ab/${id}/original`,
    thumbnail_key: `ab/${id}/thumbnail`,
    url: `/api/attachments/${id}?sig=a`,
    thumbnail_url: `/api/attachments/${id}/thumbnail?sig=b`,
    created_at: new Date(Date.now() - ageMs),
  };
  await storage.createAttachment(attachment);
  return attachment;
}

const DAY = 24 * 3600 * 1000;

export function attachmentsContract(makeStorage: MakeStorage): void {
  const fixture = useFixture(makeStorage);

  describe('attachments', () => {
    it('createAttachment then getAttachment: the record, no message yet', async () => {
      const { storage } = fixture();
      const [ann] = await makeUsers(storage, 'ann');
      const stored = await upload(storage, ann!);
      expect(await storage.getAttachment(stored.id)).toEqual({
        ...stored,
        created_at: stored.created_at.toISOString(),
        message_id: null,
      });
      expect(await storage.getAttachment(randomUUID())).toBeNull();
    });

    it('appendMessages with attachment_ids: the message carries them in order, in the protocol shape, and holds them', async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const id = await makeConversation(storage, ann!, [bob!]);
      const first = await upload(storage, ann!, 0, 'a.png');
      const second = await upload(storage, ann!, 0, 'b.png');
      const message = createdMessage(
        (
          await storage.appendMessages([newMessage(id, ann!, '', { attachment_ids: [second.id, first.id] })])
        )[0],
      );
      expect(message.body).toBe('');
      expect(message.attachments).toEqual(
        [second, first].map((a) => ({
          id: a.id,
          name: a.name,
          mime_type: a.mime_type,
          size: a.size,
          width: a.width,
          height: a.height,
          url: a.url,
          thumbnail_url: a.thumbnail_url,
        })),
      );
      expect((await storage.getAttachment(first.id))?.message_id).toBe(message.id);
      const { messages } = await storage.messagesBefore(id, undefined, 10);
      expect(messages[0]?.attachments).toEqual(message.attachments);
    });

    it("appendMessages: someone else's, an unknown, a used or a repeated attachment is bad_request and stores nothing", async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const id = await makeConversation(storage, ann!, [bob!]);
      const bobs = await upload(storage, bob!);
      const anns = await upload(storage, ann!);
      const used = await upload(storage, ann!);
      createdMessage(
        (await storage.appendMessages([newMessage(id, ann!, 'x', { attachment_ids: [used.id] })]))[0],
      );
      for (const attachment_ids of [[bobs.id], [randomUUID()], [used.id], [anns.id, anns.id]]) {
        const [outcome] = await storage.appendMessages([newMessage(id, ann!, 'x', { attachment_ids })]);
        expect(outcome).toMatchObject({ status: 'rejected', code: 'bad_request' });
      }
      expect(await storage.lastSeq(id)).toBe(1);
      expect((await storage.getAttachment(anns.id))?.message_id).toBeNull();
    });

    it('appendMessages: two sends of one batch naming the same upload: the first takes it, the second is bad_request', async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const id = await makeConversation(storage, ann!, [bob!]);
      const anns = await upload(storage, ann!);
      const [first, second] = await storage.appendMessages([
        newMessage(id, ann!, 'a', { attachment_ids: [anns.id] }),
        newMessage(id, ann!, 'b', { attachment_ids: [anns.id] }),
      ]);
      expect(createdMessage(first).attachments.map((a) => a.id)).toEqual([anns.id]);
      expect(second).toMatchObject({ status: 'rejected', code: 'bad_request' });
    });

    it('appendMessages: a retry with the same client_id is the stored message, attachments and all', async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const id = await makeConversation(storage, ann!, [bob!]);
      const anns = await upload(storage, ann!);
      const input = newMessage(id, ann!, '', { attachment_ids: [anns.id] });
      const created = createdMessage((await storage.appendMessages([input]))[0]);
      const [retry] = await storage.appendMessages([input]);
      expect(retry).toEqual({ status: 'duplicate', message: created });
    });

    it('appendMessages: an empty body without attachments is bad_request', async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const id = await makeConversation(storage, ann!, [bob!]);
      const [outcome] = await storage.appendMessages([newMessage(id, ann!, '')]);
      expect(outcome).toMatchObject({ status: 'rejected', code: 'bad_request' });
    });

    it('canReadAttachment: the uploader before it is sent; after, the members of its conversation only', async () => {
      const { storage } = fixture();
      const [ann, bob, eve] = await makeUsers(storage, 'ann', 'bob', 'eve');
      const id = await makeConversation(storage, ann!, [bob!]);
      const anns = await upload(storage, ann!);
      expect(await storage.canReadAttachment(anns.id, ann!.id)).toBe(true);
      expect(await storage.canReadAttachment(anns.id, bob!.id)).toBe(false);
      createdMessage(
        (await storage.appendMessages([newMessage(id, ann!, 'x', { attachment_ids: [anns.id] })]))[0],
      );
      expect(await storage.canReadAttachment(anns.id, ann!.id)).toBe(true);
      expect(await storage.canReadAttachment(anns.id, bob!.id)).toBe(true);
      expect(await storage.canReadAttachment(anns.id, eve!.id)).toBe(false);
      expect(await storage.canReadAttachment(randomUUID(), ann!.id)).toBe(false);
    });

    it('unsending a message empties its attachments, hides them from everyone, and claimDeadAttachments hands them over once', async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const id = await makeConversation(storage, ann!, [bob!]);
      const anns = await upload(storage, ann!);
      const kept = await upload(storage, ann!);
      const message = createdMessage(
        (await storage.appendMessages([newMessage(id, ann!, 'x', { attachment_ids: [anns.id] })]))[0],
      );
      createdMessage(
        (await storage.appendMessages([newMessage(id, ann!, 'y', { attachment_ids: [kept.id] })]))[0],
      );
      const unsent = changedMessage(
        await storage.deleteMessage({ message_id: message.id, user_id: ann!.id, now: new Date() }),
      );
      expect(unsent.attachments).toEqual([]);
      expect(await storage.getAttachment(anns.id)).toBeNull();
      expect(await storage.canReadAttachment(anns.id, ann!.id)).toBe(false);
      const claimed = await storage.claimDeadAttachments({ message_id: message.id, limit: 10 });
      expect(claimed.map((a) => [a.id, a.storage_key, a.thumbnail_key])).toEqual([
        [anns.id, anns.storage_key, anns.thumbnail_key],
      ]);
      expect(await storage.claimDeadAttachments({ limit: 10 })).toEqual([]);
      expect(await storage.getAttachment(kept.id)).not.toBeNull();
    });

    it('claimDeadAttachments: uploads never sent and older than uploaded_before go, newer and sent ones stay', async () => {
      const { storage } = fixture();
      const [ann, bob] = await makeUsers(storage, 'ann', 'bob');
      const id = await makeConversation(storage, ann!, [bob!]);
      const stale = await upload(storage, ann!, DAY + 60_000);
      const fresh = await upload(storage, ann!, DAY - 60_000);
      const sentOld = await upload(storage, ann!, DAY + 60_000);
      createdMessage(
        (await storage.appendMessages([newMessage(id, ann!, 'x', { attachment_ids: [sentOld.id] })]))[0],
      );
      const claimed = await storage.claimDeadAttachments({
        uploaded_before: new Date(Date.now() - DAY),
        limit: 10,
      });
      expect(claimed.map((a) => a.id)).toEqual([stale.id]);
      expect(await storage.getAttachment(stale.id)).toBeNull();
      expect(await storage.getAttachment(fresh.id)).not.toBeNull();
      expect(await storage.getAttachment(sentOld.id)).not.toBeNull();
      const [late] = await storage.appendMessages([
        newMessage(id, ann!, 'x', { attachment_ids: [stale.id] }),
      ]);
      expect(late).toMatchObject({ status: 'rejected', code: 'bad_request' });
    });

    it('claimDeadAttachments: at most limit at a time, none twice', async () => {
      const { storage } = fixture();
      const [ann] = await makeUsers(storage, 'ann');
      for (let i = 0; i < 5; i++) await upload(storage, ann!, DAY + 1000);
      const cutoff = new Date(Date.now() - DAY);
      const first = await storage.claimDeadAttachments({ uploaded_before: cutoff, limit: 3 });
      const second = await storage.claimDeadAttachments({ uploaded_before: cutoff, limit: 3 });
      expect(first).toHaveLength(3);
      expect(second).toHaveLength(2);
      expect(new Set([...first, ...second].map((a) => a.id)).size).toBe(5);
    });
  });
}
