import type { Database } from 'better-sqlite3';
import type { AttachmentFacts } from '../../domain/message-rules';
import type { NewAttachment, StoredAttachment } from '../storage';

const COLUMNS = `a.id, a.uploader_id, a.name, a.mime_type, a.size, a.width, a.height, a.storage_key,
  a.thumbnail_key, a.url, a.thumbnail_url, a.message_id, a.created_at`;

/** Attachment records (section 11): uploads, what a send may take, and what the sweep may delete. */
export function attachmentQueries(db: Database) {
  const insert = db.prepare<[Omit<StoredAttachment, 'message_id'>]>(
    `INSERT INTO attachments (id, uploader_id, name, mime_type, size, width, height, storage_key,
       thumbnail_key, url, thumbnail_url, message_id, created_at)
     VALUES (:id, :uploader_id, :name, :mime_type, :size, :width, :height, :storage_key,
       :thumbnail_key, :url, :thumbnail_url, NULL, :created_at)`,
  );
  // An attachment of an unsent message is gone for everyone, before the sweep deletes its row.
  const live = db.prepare<[string], StoredAttachment>(
    `SELECT ${COLUMNS} FROM attachments a LEFT JOIN messages m ON m.id = a.message_id
     WHERE a.id = ? AND m.deleted_at IS NULL`,
  );
  const readable = db
    .prepare<{ id: string; user: string }, 1>(
      `SELECT 1 FROM attachments a LEFT JOIN messages m ON m.id = a.message_id
       WHERE a.id = :id AND (
         (a.message_id IS NULL AND a.uploader_id = :user)
         OR (m.deleted_at IS NULL AND EXISTS (SELECT 1 FROM conversation_members cm
               WHERE cm.conversation_id = m.conversation_id AND cm.user_id = :user)))`,
    )
    .pluck();
  const facts = db.prepare<[string], AttachmentFacts>(
    'SELECT id, uploader_id, message_id FROM attachments WHERE id = ?',
  );
  const take = db.prepare<[string, string]>('UPDATE attachments SET message_id = ? WHERE id = ?');
  const deadOfMessage = db.prepare<[string, number], StoredAttachment>(
    `SELECT ${COLUMNS} FROM attachments a JOIN messages m ON m.id = a.message_id
     WHERE a.message_id = ? AND m.deleted_at IS NOT NULL LIMIT ?`,
  );
  const deadOfAnyMessage = db.prepare<[number], StoredAttachment>(
    `SELECT ${COLUMNS} FROM attachments a JOIN messages m ON m.id = a.message_id
     WHERE m.deleted_at IS NOT NULL LIMIT ?`,
  );
  const neverSent = db.prepare<[string, number], StoredAttachment>(
    `SELECT ${COLUMNS} FROM attachments a WHERE a.message_id IS NULL AND a.created_at < ?
     ORDER BY a.created_at LIMIT ?`,
  );
  const remove = db.prepare<[string]>('DELETE FROM attachments WHERE id = ?');

  return {
    createAttachment(attachment: NewAttachment): void {
      insert.run({ ...attachment, created_at: attachment.created_at.toISOString() });
    },

    getAttachment(id: string): StoredAttachment | null {
      return live.get(id) ?? null;
    },

    canReadAttachment(id: string, userId: string): boolean {
      return readable.get({ id, user: userId }) === 1;
    },

    /** What checkSend needs of the ids a send names (unknown ones are absent). */
    attachmentFacts(ids: readonly string[]): AttachmentFacts[] {
      return ids.flatMap((id) => facts.get(id) ?? []);
    },

    /** In the send's transaction, after checkSend accepted it; returns the records in `ids` order. */
    takeAttachments(messageId: string, ids: readonly string[]): StoredAttachment[] {
      return ids.map((id) => {
        take.run(messageId, id);
        const row = live.get(id);
        if (!row) throw new Error(`attachment ${id} vanished inside its send's transaction`);
        return row;
      });
    },

    claimDeadAttachments(input: {
      message_id?: string;
      uploaded_before?: Date;
      limit: number;
    }): StoredAttachment[] {
      const limit = Math.max(0, Math.trunc(input.limit));
      const claimed =
        input.message_id === undefined
          ? deadOfAnyMessage.all(limit)
          : deadOfMessage.all(input.message_id, limit);
      if (input.uploaded_before && claimed.length < limit) {
        claimed.push(...neverSent.all(input.uploaded_before.toISOString(), limit - claimed.length));
      }
      for (const row of claimed) remove.run(row.id);
      return claimed;
    },
  };
}
