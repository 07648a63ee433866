/**
 * A conversation as one viewer sees it (the protocol's `Conversation`), and the
 * members and messages it is made of, built as JSON by PostgreSQL itself (issue
 * 13). Parsing rows cost about as much CPU in the server as the queries did in
 * PostgreSQL: pg turns every timestamptz into a Date and every json column into
 * values, 200 conversations' worth for one listing. The conversation list is
 * read as text, never parsed, and the HTTP listing sends it as is.
 *
 * Over `c` (conversations), `me` (the viewer's membership row, NULL columns when
 * not a member) and `m` (the message with the highest seq, NULL columns when
 * none), with the viewer as $1. Members come in the order they were added.
 */

/**
 * A timestamptz as Date.toISOString() writes it, whatever the session's time
 * zone (milliseconds truncated, as pg's Date parsing does).
 */
export const isoText = (sql: string) => `to_char(${sql} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The members of conversation `c`, in the order they were added, as a JSON array. */
export const MEMBERS_JSON = `(SELECT COALESCE(json_agg(json_build_object(
      'user_id', cm.user_id, 'display_name', mu.display_name, 'read_seq', cm.read_seq,
      'role', cm.role, 'is_agent', mu.is_agent) ORDER BY cm.position), '[]'::json)
  FROM conversation_members cm JOIN users mu ON mu.id = cm.user_id
  WHERE cm.conversation_id = c.id)`;

/** The protocol's `Message` of the `messages` row `alias`, as JSON (rows.ts toMessage, in SQL). */
export const messageJson = (alias: string) => `json_build_object(
  'id', ${alias}.id, 'conversation_id', ${alias}.conversation_id, 'seq', ${alias}.seq,
  'updated_seq', ${alias}.updated_seq, 'sender_id', ${alias}.sender_id, 'client_id', ${alias}.client_id,
  'body', ${alias}.body, 'reply_to', ${alias}.reply_to, 'created_at', ${isoText(`${alias}.created_at`)},
  'edited_at', ${isoText(`${alias}.edited_at`)}, 'deleted_at', ${isoText(`${alias}.deleted_at`)},
  'reactions', ${alias}.reactions, 'kind', ${alias}.kind, 'event', ${alias}.event,
  'attachments', ${alias}.attachments, 'mentions', ${alias}.mentions, 'state', ${alias}.state)`;

/**
 * The conversation is concatenated as text in the layout json_build_object and
 * json_agg write (`{"key" : value, ...}`, `[a, b]`), so the text is the same byte
 * for byte, but cheaper: json_build_object looks up each argument's type output
 * function at every call, and a listing of 200 conversations made 200 calls with
 * 27 arguments and 800 members' calls (issue 13: 1M messages, a viewer in 200
 * conversations, p50 of the statement 13.2 -> 11.4 ms on the bench machine).
 * to_json escapes a string as json_build_object does.
 */
const jsonText = (sql: string) => `COALESCE(to_json(${sql})::text, 'null')`;
const numberText = (sql: string) => `COALESCE((${sql})::text, 'null')`;
const boolText = (sql: string) => `CASE WHEN ${sql} THEN 'true' ELSE 'false' END`;
const rawText = (sql: string) => `COALESCE(${sql}::text, 'null')`;
const timeText = (sql: string) => `COALESCE('"' || ${isoText(sql)} || '"', 'null')`;
const objectText = (fields: Array<[string, string]>) =>
  `'{' || ${fields.map(([key, value], i) => `'${i ? ', ' : ''}"${key}" : ' || ${value}`).join('\n  || ')} || '}'`;

/**
 * MEMBERS_JSON as text: array_to_string writes json_agg's ", " between members
 * and nothing for none. Every column here is NOT NULL.
 */
export const MEMBERS_TEXT = `('[' || array_to_string(ARRAY(SELECT ${objectText([
  ['user_id', 'to_json(cm.user_id)::text'],
  ['display_name', 'to_json(mu.display_name)::text'],
  ['read_seq', 'cm.read_seq::text'],
  ['role', 'to_json(cm.role)::text'],
  ['is_agent', boolText('mu.is_agent')],
])}
  FROM conversation_members cm JOIN users mu ON mu.id = cm.user_id
  WHERE cm.conversation_id = c.id ORDER BY cm.position), ', ') || ']')`;

/** messageJson('m') as text. */
export const LAST_MESSAGE_TEXT = `CASE WHEN m.id IS NULL THEN 'null' ELSE ${objectText([
  ['id', jsonText('m.id')],
  ['conversation_id', jsonText('m.conversation_id')],
  ['seq', numberText('m.seq')],
  ['updated_seq', numberText('m.updated_seq')],
  ['sender_id', jsonText('m.sender_id')],
  ['client_id', jsonText('m.client_id')],
  ['body', jsonText('m.body')],
  ['reply_to', jsonText('m.reply_to')],
  ['created_at', timeText('m.created_at')],
  ['edited_at', timeText('m.edited_at')],
  ['deleted_at', timeText('m.deleted_at')],
  ['reactions', rawText('m.reactions')],
  ['kind', jsonText('m.kind')],
  ['event', rawText('m.event')],
  ['attachments', rawText('m.attachments')],
  ['mentions', rawText('m.mentions')],
  ['state', jsonText('m.state')],
])} END`;

/** Other members' text messages, not deleted, above the viewer's read_seq (an index-only scan of UNIQUE (conversation_id, seq), 010). */
export const UNREAD_COUNT = `(SELECT COUNT(*) FROM messages u
  WHERE u.conversation_id = c.id AND u.seq > COALESCE(me.read_seq, 0)
    AND u.sender_id <> $1 AND u.deleted_at IS NULL AND u.kind = 'text')`;

/** The same, mentioning the viewer. */
export const UNREAD_MENTIONS = `(SELECT COUNT(*) FROM message_mentions mm JOIN messages u ON u.id = mm.message_id
  WHERE mm.user_id = $1 AND mm.conversation_id = c.id AND mm.seq > COALESCE(me.read_seq, 0)
    AND u.sender_id <> $1 AND u.deleted_at IS NULL)`;

const SETTINGS_TEXT = objectText([
  ['muted_until', timeText('me.muted_until')],
  ['archived', boolText('COALESCE(me.archived, false)')],
  ['pinned', boolText('me.pinned_at IS NOT NULL')],
]);

/** The JSON text of the `Conversation`. */
export const CONVERSATION_JSON = objectText([
  ['id', jsonText('c.id')],
  ['title', jsonText('c.title')],
  ['is_group', boolText('c.is_group')],
  ['members', MEMBERS_TEXT],
  ['last_message', LAST_MESSAGE_TEXT],
  ['last_seq', numberText('c.last_seq')],
  ['unread_count', numberText(UNREAD_COUNT)],
  ['created_at', timeText('c.created_at')],
  ['settings', SETTINGS_TEXT],
  ['unread_mentions', numberText(UNREAD_MENTIONS)],
]);

/** Joins `m`, the conversation's message with the highest seq (UNIQUE (conversation_id, seq)). */
export const LAST_MESSAGE_JOIN = `LEFT JOIN LATERAL (
    SELECT * FROM messages x WHERE x.conversation_id = c.id ORDER BY x.seq DESC LIMIT 1
  ) m ON true`;
