-- Protocol v2 section 11: attachments. Their bytes live in the attachment store
-- (DATA_DIR/attachments or S3) under the two keys; a row exists while they do.
-- A row with no message_id is an upload not sent yet; the sweep deletes it after
-- 24 h, and the rows of unsent messages at once.

CREATE TABLE attachments (
  id            TEXT PRIMARY KEY,
  uploader_id   TEXT NOT NULL REFERENCES users (id),
  name          TEXT NOT NULL,
  -- Decided from the bytes, never from the upload's Content-Type.
  mime_type     TEXT NOT NULL,
  -- Bytes as stored, after stripping.
  size          INTEGER NOT NULL CHECK (size >= 0),
  width         INTEGER,
  height        INTEGER,
  storage_key   TEXT NOT NULL,
  thumbnail_key TEXT,
  -- The signed paths the protocol's Attachment carries.
  url           TEXT NOT NULL,
  thumbnail_url TEXT,
  message_id    TEXT REFERENCES messages (id),
  created_at    TEXT NOT NULL
);
CREATE INDEX attachments_message ON attachments (message_id);
-- The sweep's scan: uploads never sent, oldest first.
CREATE INDEX attachments_unsent ON attachments (created_at) WHERE message_id IS NULL;
