/**
 * A conversation as one viewer sees it (the protocol's `Conversation`), built as
 * JSON text by SQLite itself: the conversation list (issue 13) maps no row to an
 * object and serialises nothing in JS, and the HTTP listing sends the text as
 * is. Reading 200 conversations' rows into objects and serialising them again
 * cost more CPU than the lookups.
 *
 * Over `c` (conversations), `me` (the viewer's membership row, NULL columns when
 * not a member) and `m` (the message with the highest seq, NULL columns when
 * none), with the viewer as `:viewer`. Members come in the order they were added
 * (rowid); times are stored as Date.toISOString() text and copied as is.
 */

const bool = (sql: string) => `json(iif(${sql}, 'true', 'false'))`;

/** The members of conversation `c` as a JSON array, in the order they were added. */
export const MEMBERS = `(SELECT json_group_array(json_object(
    'user_id', cm.user_id, 'display_name', mu.display_name, 'read_seq', cm.read_seq,
    'role', cm.role, 'is_agent', ${bool('mu.is_agent')}) ORDER BY cm.rowid)
  FROM conversation_members cm JOIN users mu ON mu.id = cm.user_id
  WHERE cm.conversation_id = c.id)`;

/** The last message `m` as JSON, or NULL. */
export const LAST_MESSAGE = `iif(m.id IS NULL, NULL, json_object(
  'id', m.id, 'conversation_id', m.conversation_id, 'seq', m.seq, 'updated_seq', m.updated_seq,
  'sender_id', m.sender_id, 'client_id', m.client_id, 'body', m.body, 'reply_to', m.reply_to,
  'created_at', m.created_at, 'edited_at', m.edited_at, 'deleted_at', m.deleted_at,
  'reactions', json(m.reactions), 'kind', m.kind, 'event', json(m.event),
  'attachments', json(m.attachments), 'mentions', json(m.mentions), 'state', m.state))`;

/** Other members' text messages, not deleted, above the viewer's read_seq (messages_unread, 009). */
export const UNREAD_COUNT = `(SELECT COUNT(*) FROM messages u
  WHERE u.conversation_id = c.id AND u.seq > COALESCE(me.read_seq, 0)
    AND u.sender_id <> :viewer AND u.deleted_at IS NULL AND u.kind = 'text')`;

/** The same, mentioning the viewer. */
export const UNREAD_MENTIONS = `(SELECT COUNT(*) FROM message_mentions mm JOIN messages u ON u.id = mm.message_id
  WHERE mm.user_id = :viewer AND mm.conversation_id = c.id AND mm.seq > COALESCE(me.read_seq, 0)
    AND u.sender_id <> :viewer AND u.deleted_at IS NULL)`;

/**
 * The `Conversation` without `members`, `last_message`, `unread_count` and
 * `unread_mentions`: what is cheap to read at every listing. The conversation
 * list (conversation-list.ts) adds the other four from what it keeps.
 */
export const VIEWER_PART_JSON = `json_object(
  'id', c.id, 'title', c.title, 'is_group', ${bool('c.is_group')},
  'last_seq', c.last_seq, 'created_at', c.created_at,
  'settings', json_object('muted_until', me.muted_until, 'archived', ${bool('me.archived')},
    'pinned', ${bool('me.pinned_at IS NOT NULL')}))`;

/** The JSON text of the `Conversation`. */
export const CONVERSATION_JSON = `json_set(${VIEWER_PART_JSON},
  '$.unread_count', ${UNREAD_COUNT}, '$.unread_mentions', ${UNREAD_MENTIONS},
  '$.members', json(${MEMBERS}), '$.last_message', json(${LAST_MESSAGE}))`;

/** Joins `m`, the conversation's message with the highest seq, by rowid from UNIQUE (conversation_id, seq). */
export const LAST_MESSAGE_JOIN = `LEFT JOIN messages m ON m.rowid =
  (SELECT x.rowid FROM messages x WHERE x.conversation_id = c.id ORDER BY x.seq DESC LIMIT 1)`;
