/**
 * A conversation as one viewer sees it (the protocol's `Conversation`), built as
 * JSON text by PostgreSQL itself and read as text: the conversation list (issue
 * 13) parses no row, date or json column in JS and serialises nothing, and the
 * HTTP listing sends the text as is. Parsing 200 conversations' rows (pg turns
 * every timestamptz into a Date and every json column into values) cost about
 * as much CPU in the server as the query did in PostgreSQL.
 *
 * Over `c` (conversations), `me` (the viewer's membership row, NULL columns when
 * not a member) and `m` (the message with the highest seq, NULL columns when
 * none), with the viewer as $1. Members come in the order they were added.
 */

/**
 * A timestamptz as Date.toISOString() writes it, whatever the session's time
 * zone (milliseconds truncated, as pg's Date parsing does).
 */
const iso = (sql: string) => `to_char(${sql} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const MEMBERS = `(SELECT COALESCE(json_agg(json_build_object(
      'user_id', cm.user_id, 'display_name', mu.display_name, 'read_seq', cm.read_seq,
      'role', cm.role, 'is_agent', mu.is_agent) ORDER BY cm.position), '[]'::json)
  FROM conversation_members cm JOIN users mu ON mu.id = cm.user_id
  WHERE cm.conversation_id = c.id)`;

const LAST_MESSAGE = `CASE WHEN m.id IS NULL THEN NULL ELSE json_build_object(
  'id', m.id, 'conversation_id', m.conversation_id, 'seq', m.seq, 'updated_seq', m.updated_seq,
  'sender_id', m.sender_id, 'client_id', m.client_id, 'body', m.body, 'reply_to', m.reply_to,
  'created_at', ${iso('m.created_at')}, 'edited_at', ${iso('m.edited_at')}, 'deleted_at', ${iso('m.deleted_at')},
  'reactions', m.reactions, 'kind', m.kind, 'event', m.event,
  'attachments', m.attachments, 'mentions', m.mentions, 'state', m.state) END`;

/** Other members' text messages, not deleted, above the viewer's read_seq (messages_unread, 009). */
const UNREAD_COUNT = `(SELECT COUNT(*)::int FROM messages u
  WHERE u.conversation_id = c.id AND u.seq > COALESCE(me.read_seq, 0)
    AND u.sender_id <> $1 AND u.deleted_at IS NULL AND u.kind = 'text')`;

/** The same, mentioning the viewer. */
const UNREAD_MENTIONS = `(SELECT COUNT(*)::int FROM message_mentions mm JOIN messages u ON u.id = mm.message_id
  WHERE mm.user_id = $1 AND mm.conversation_id = c.id AND mm.seq > COALESCE(me.read_seq, 0)
    AND u.sender_id <> $1 AND u.deleted_at IS NULL)`;

/** The JSON text of the `Conversation`. */
export const CONVERSATION_JSON = `json_build_object(
  'id', c.id, 'title', c.title, 'is_group', c.is_group,
  'members', ${MEMBERS},
  'last_message', ${LAST_MESSAGE},
  'last_seq', c.last_seq, 'unread_count', ${UNREAD_COUNT}, 'created_at', ${iso('c.created_at')},
  'settings', json_build_object('muted_until', ${iso('me.muted_until')},
    'archived', COALESCE(me.archived, false), 'pinned', me.pinned_at IS NOT NULL),
  'unread_mentions', ${UNREAD_MENTIONS})::text`;

/** Joins `m`, the conversation's message with the highest seq (UNIQUE (conversation_id, seq)). */
export const LAST_MESSAGE_JOIN = `LEFT JOIN LATERAL (
    SELECT * FROM messages x WHERE x.conversation_id = c.id ORDER BY x.seq DESC LIMIT 1
  ) m ON true`;

/**
 * The list's order (docs/protocol.md sections 7 and 9): pinned first, most
 * recently pinned first; then newest first by the last message's time, or the
 * creation time without messages; ids (in code-unit order) break ties.
 */
export const LIST_ORDER = `me.pinned_at DESC NULLS LAST, COALESCE(m.created_at, c.created_at) DESC,
  c.created_at DESC, c.id COLLATE "C"`;
