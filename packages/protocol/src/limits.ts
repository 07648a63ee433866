/** Numbers fixed by the wire contract. Server-side tunables live in the server's config. */
export const MAX_FRAME_BYTES = 64 * 1024;
export const MAX_REF_LENGTH = 64;
export const MAX_BODY_CODE_POINTS = 4000;
export const JOIN_PAGE_SIZE = 50;
export const JOIN_SINCE_MAX = 500;
export const HISTORY_DEFAULT_LIMIT = 50;
export const HISTORY_MAX_LIMIT = 100;
export const USER_SEARCH_LIMIT = 20;
export const EDIT_WINDOW_MS = 15 * 60 * 1000;
export const MAX_EDITS = 5;
export const DELETE_WINDOW_MS = 2 * 60 * 1000;
export const TYPING_TIMEOUT_MS = 6000;
export const AUTH_TIMEOUT_MS = 10_000;
/** v2 (section 10): mentions in one message. */
export const MAX_MENTIONS = 50;
/** v2 (section 11): attachments in one message. */
export const MAX_ATTACHMENTS = 10;
/** v2 (section 12): search page size. */
export const SEARCH_DEFAULT_LIMIT = 20;
export const SEARCH_MAX_LIMIT = 50;
/** v2 (section 9): the default bound of a group's members (the server's MAX_GROUP_MEMBERS). */
export const DEFAULT_MAX_GROUP_MEMBERS = 256;
/** The wire protocol version `authenticated` announces. */
export const PROTOCOL_VERSION = 2;
/** v2 (section 14): a streamed body, relayed or final, in code points. */
export const MAX_STREAM_BODY_CODE_POINTS = 16_000;
/** v2 (section 14): an `agent_status` detail in code points. */
export const MAX_AGENT_STATUS_DETAIL = 100;
/** v2 (section 14): at most one `message_stream` relay per message in this interval. */
export const STREAM_RELAY_INTERVAL_MS = 100;
/** v2 (section 14): after `stop_stream`, the server ends a stream its sender has not ended. */
export const STREAM_STOP_GRACE_MS = 5000;
/** v2 (section 14): a stream with no `stream_message` for this long is `interrupted`. */
export const STREAM_SILENCE_MS = 30_000;
/** v2 (section 14): an agent status not refreshed for this long returns to `idle`. */
export const AGENT_STATUS_TTL_MS = 60_000;
/** v2 (section 14): the prefixes of an agent's secrets. */
export const AGENT_KEY_PREFIX = 'chat_ak_';
export const WEBHOOK_SECRET_PREFIX = 'whsec_';
