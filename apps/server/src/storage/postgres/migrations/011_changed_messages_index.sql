-- Issue 13: a send wrote (conversation_id, updated_seq) into an index whose
-- entry repeats UNIQUE (conversation_id, seq)'s, since a new message's
-- updated_seq is its seq. Only changed messages (edited, unsent, reacted to, an
-- answer completed) need their own entry: resumes read the others through
-- (conversation_id, seq) and merge (storage/postgres/history.ts). Only a query
-- that states `updated_seq > seq` can use this index, so unlike 009's it cannot
-- be picked for another query's plan.
DROP INDEX messages_conversation_updated;
CREATE INDEX messages_changed ON messages (conversation_id, updated_seq) WHERE updated_seq > seq;
