-- Section 14: a checkpoint of each streaming message, written when it is sent and
-- then by the process that owns the stream at most every few seconds. A stream
-- whose process died stops being checkpointed; any process's sweep then ends it
-- `interrupted` with the body it last checkpointed. The row goes when the stream ends.
CREATE TABLE message_streams (
  message_id       text PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  conversation_id  text NOT NULL,
  sender_id        text NOT NULL,
  body             text NOT NULL DEFAULT '',
  last_activity_at timestamptz NOT NULL
);
CREATE INDEX message_streams_by_activity ON message_streams (last_activity_at);
