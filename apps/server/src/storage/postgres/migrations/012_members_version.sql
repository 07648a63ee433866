-- Issue 13 (the conversation list at 1,000,000 messages): as SQLite's 014, a
-- number that moves with every conversation's members as every viewer sees
-- them (who, in what order, their names, roles and read_seq), so a process
-- keeps each conversation's members JSON and builds it again only when the
-- number moved (storage/conversation-parts.ts). Triggers make every writer
-- bump it, other processes and hand-written SQL included.
--
-- Row locks: the bump takes the conversation's row lock. Group changes hold it
-- before they write conversation_members, and a read receipt takes it before
-- its member's row (conversations.ts markRead), so no two transactions hold
-- these locks in opposite orders. A rename bumps many conversations: it locks
-- them in id order, so two renames cannot deadlock either.
ALTER TABLE conversations ADD COLUMN members_version integer NOT NULL DEFAULT 0;

CREATE FUNCTION bump_members_version() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    UPDATE conversations SET members_version = members_version + 1 WHERE id = OLD.conversation_id;
  ELSE
    UPDATE conversations SET members_version = members_version + 1 WHERE id = NEW.conversation_id;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER members_version_on_add_or_remove AFTER INSERT OR DELETE ON conversation_members
  FOR EACH ROW EXECUTE FUNCTION bump_members_version();

CREATE TRIGGER members_version_on_change AFTER UPDATE OF read_seq, role ON conversation_members
  FOR EACH ROW WHEN (OLD.read_seq IS DISTINCT FROM NEW.read_seq OR OLD.role IS DISTINCT FROM NEW.role)
  EXECUTE FUNCTION bump_members_version();

CREATE FUNCTION bump_members_version_of_user() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  PERFORM 1 FROM conversations
    WHERE id IN (SELECT conversation_id FROM conversation_members WHERE user_id = NEW.id)
    ORDER BY id COLLATE "C" FOR NO KEY UPDATE;
  UPDATE conversations SET members_version = members_version + 1
    WHERE id IN (SELECT conversation_id FROM conversation_members WHERE user_id = NEW.id);
  RETURN NULL;
END $$;

CREATE TRIGGER members_version_on_user AFTER UPDATE OF display_name, is_agent ON users
  FOR EACH ROW WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name OR OLD.is_agent IS DISTINCT FROM NEW.is_agent)
  EXECUTE FUNCTION bump_members_version_of_user();
