-- Issue 13 (the conversation list at 1,000,000 messages): as SQLite's 014, a
-- number that moves with every conversation's members as every viewer sees
-- them (who, in what order, their names and roles), so a process keeps each
-- conversation's members JSON and builds it again only when the number moved
-- (storage/conversation-parts.ts). Triggers make every writer bump it, other
-- processes and hand-written SQL included.
--
-- Unlike SQLite's, a read receipt does not bump it: it would write the
-- conversation's row, whose lock every send holds until it commits, so in a
-- busy group the receipts would queue behind the sends and the sends behind
-- them. The list keys the members by this number and the sum of the members'
-- read_seq instead (postgres/conversation-list.ts): read_seq only grows, so
-- every read raises the sum while the members stay.
--
-- Row locks: group changes hold the conversation's row before they write
-- conversation_members, so the bump waits for nothing. A rename bumps many
-- conversations: it locks them in id order, so two renames cannot deadlock.
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

CREATE TRIGGER members_version_on_role AFTER UPDATE OF role ON conversation_members
  FOR EACH ROW WHEN (OLD.role IS DISTINCT FROM NEW.role)
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
