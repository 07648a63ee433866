-- Protocol v2 section 11: attachments. Their bytes live in the attachment store
-- (S3 when several processes share this database) under the two keys; a row
-- exists while they do. A row with no message_id is an upload not sent yet; the
-- sweep deletes it after 24 h, and the rows of unsent messages at once.

CREATE TABLE attachments (
  id            text PRIMARY KEY,
  uploader_id   text NOT NULL REFERENCES users (id),
  name          text NOT NULL,
  -- Decided from the bytes, never from the upload's Content-Type.
  mime_type     text NOT NULL,
  -- Bytes as stored, after stripping.
  size          bigint NOT NULL CHECK (size >= 0),
  width         integer,
  height        integer,
  storage_key   text NOT NULL,
  thumbnail_key text,
  -- The signed paths the protocol's Attachment carries.
  url           text NOT NULL,
  thumbnail_url text,
  message_id    text REFERENCES messages (id),
  created_at    timestamptz NOT NULL
);
CREATE INDEX attachments_message ON attachments (message_id);
-- The sweep's scan: uploads never sent, oldest first.
CREATE INDEX attachments_unsent ON attachments (created_at) WHERE message_id IS NULL;
