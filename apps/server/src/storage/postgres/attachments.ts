import type pg from 'pg';
import type { NewAttachment, StoredAttachment } from '../storage';
import { iso, type Queryable } from './database';

const COLUMNS = `a.id, a.uploader_id, a.name, a.mime_type, a.size, a.width, a.height, a.storage_key,
  a.thumbnail_key, a.url, a.thumbnail_url, a.message_id, a.created_at`;

/** As pg returns it: bigint as a string, timestamptz as a Date. */
type AttachmentRow = Omit<StoredAttachment, 'size' | 'created_at'> & {
  size: string | number;
  created_at: Date;
};

function toStored(row: AttachmentRow): StoredAttachment {
  return { ...row, size: Number(row.size), created_at: iso(row.created_at) };
}

/**
 * The attachment records a send names, locked until its transaction ends, so
 * two processes sending the same upload take turns and the second sees it taken.
 */
export async function lockAttachments(
  client: Queryable,
  ids: readonly string[],
): Promise<StoredAttachment[]> {
  if (ids.length === 0) return [];
  const { rows } = await client.query<AttachmentRow>(
    `SELECT ${COLUMNS} FROM attachments a WHERE a.id = ANY($1::text[]) ORDER BY a.id COLLATE "C" FOR UPDATE`,
    [ids],
  );
  return rows.map(toStored);
}

/** Points the attachments at the messages that took them, in the send's transaction. */
export async function takeAttachments(
  client: Queryable,
  taken: ReadonlyArray<{ attachment_id: string; message_id: string }>,
): Promise<void> {
  if (taken.length === 0) return;
  await client.query(
    `UPDATE attachments a SET message_id = t.message_id
     FROM unnest($1::text[], $2::text[]) AS t (id, message_id) WHERE a.id = t.id`,
    [taken.map((t) => t.attachment_id), taken.map((t) => t.message_id)],
  );
}

/** Attachment records (section 11): uploads, who may read them, and what the sweep may delete. */
export function attachmentQueries(pool: pg.Pool) {
  return {
    async createAttachment(attachment: NewAttachment): Promise<void> {
      await pool.query(
        `INSERT INTO attachments (id, uploader_id, name, mime_type, size, width, height, storage_key,
           thumbnail_key, url, thumbnail_url, message_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, $12)`,
        [
          attachment.id,
          attachment.uploader_id,
          attachment.name,
          attachment.mime_type,
          attachment.size,
          attachment.width,
          attachment.height,
          attachment.storage_key,
          attachment.thumbnail_key,
          attachment.url,
          attachment.thumbnail_url,
          attachment.created_at,
        ],
      );
    },

    /** An attachment of an unsent message is gone for everyone, before the sweep deletes its row. */
    async getAttachment(id: string): Promise<StoredAttachment | null> {
      const { rows } = await pool.query<AttachmentRow>(
        `SELECT ${COLUMNS} FROM attachments a LEFT JOIN messages m ON m.id = a.message_id
         WHERE a.id = $1 AND m.deleted_at IS NULL`,
        [id],
      );
      return rows[0] ? toStored(rows[0]) : null;
    },

    async canReadAttachment(id: string, userId: string): Promise<boolean> {
      const { rowCount } = await pool.query(
        `SELECT 1 FROM attachments a LEFT JOIN messages m ON m.id = a.message_id
         WHERE a.id = $1 AND (
           (a.message_id IS NULL AND a.uploader_id = $2)
           OR (m.deleted_at IS NULL AND EXISTS (SELECT 1 FROM conversation_members cm
                 WHERE cm.conversation_id = m.conversation_id AND cm.user_id = $2)))`,
        [id, userId],
      );
      return (rowCount ?? 0) > 0;
    },

    /**
     * One DELETE ... RETURNING per kind; rows another process is claiming are
     * skipped (SKIP LOCKED), so two sweeps never hand out the same record.
     */
    async claimDeadAttachments(input: {
      message_id?: string;
      uploaded_before?: Date;
      limit: number;
    }): Promise<StoredAttachment[]> {
      const limit = Math.max(0, Math.trunc(input.limit));
      const ofMessages = await pool.query<AttachmentRow>(
        `DELETE FROM attachments a WHERE a.id IN (
           SELECT x.id FROM attachments x JOIN messages m ON m.id = x.message_id
           WHERE m.deleted_at IS NOT NULL AND ($1::text IS NULL OR x.message_id = $1)
           LIMIT $2 FOR UPDATE OF x SKIP LOCKED)
         RETURNING ${COLUMNS}`,
        [input.message_id ?? null, limit],
      );
      const claimed = ofMessages.rows.map(toStored);
      if (input.uploaded_before && claimed.length < limit) {
        const neverSent = await pool.query<AttachmentRow>(
          `DELETE FROM attachments a WHERE a.id IN (
             SELECT x.id FROM attachments x WHERE x.message_id IS NULL AND x.created_at < $1
             ORDER BY x.created_at LIMIT $2 FOR UPDATE SKIP LOCKED)
           RETURNING ${COLUMNS}`,
          [input.uploaded_before, limit - claimed.length],
        );
        claimed.push(...neverSent.rows.map(toStored));
      }
      return claimed;
    },
  };
}
