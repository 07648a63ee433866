-- Issue 13 (the conversation list at 1,000,000 messages): every conversation's
-- members as every viewer sees them (who, in what order, their names, roles and
-- read_seq) change with members_version, so a process can keep each
-- conversation's members JSON and build it again only when this number moved
-- (storage/conversation-parts.ts). The triggers make every writer bump it, the
-- writer thread and any other process on the file included. A read receipt
-- writes the conversation's row too (one writer, no row locks: unlike on
-- PostgreSQL, nothing to order). The last message needs no such number: every
-- change to a message takes the next last_seq (docs/protocol.md section 5).
ALTER TABLE conversations ADD COLUMN members_version INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER members_version_on_add AFTER INSERT ON conversation_members
BEGIN
  UPDATE conversations SET members_version = members_version + 1 WHERE id = NEW.conversation_id;
END;

CREATE TRIGGER members_version_on_remove AFTER DELETE ON conversation_members
BEGIN
  UPDATE conversations SET members_version = members_version + 1 WHERE id = OLD.conversation_id;
END;

CREATE TRIGGER members_version_on_change AFTER UPDATE OF read_seq, role ON conversation_members
WHEN OLD.read_seq IS NOT NEW.read_seq OR OLD.role IS NOT NEW.role
BEGIN
  UPDATE conversations SET members_version = members_version + 1 WHERE id = NEW.conversation_id;
END;

CREATE TRIGGER members_version_on_user AFTER UPDATE OF display_name, is_agent ON users
WHEN OLD.display_name IS NOT NEW.display_name OR OLD.is_agent IS NOT NEW.is_agent
BEGIN
  UPDATE conversations SET members_version = members_version + 1
  WHERE id IN (SELECT conversation_id FROM conversation_members WHERE user_id = NEW.id);
END;
