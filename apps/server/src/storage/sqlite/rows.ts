import type {
  Attachment,
  ConversationMember,
  Message,
  MessageChange,
  MessageState,
  SystemEvent,
  User,
} from '@chat/protocol';
import type { AuthUser } from '../storage';

/**
 * Rows as SQLite returns them and their mapping to the protocol's shapes. SQLite
 * has no boolean or JSON type: flags are 0/1 and JSON is text.
 */

export interface UserRow {
  id: string;
  email: string;
  display_name: string;
  password_hash: string | null;
  user_metadata: string;
  is_agent: 0 | 1;
  created_at: string;
  updated_at: string;
}

export interface MessageRow {
  id: string;
  conversation_id: string;
  seq: number;
  updated_seq: number;
  sender_id: string;
  client_id: string | null;
  body: string;
  reply_to: string | null;
  reactions: string;
  edit_count: number;
  last_change: MessageChange | null;
  created_at: string;
  edited_at: string | null;
  deleted_at: string | null;
  kind: 'text' | 'system';
  /** JSON of the SystemEvent, or null. */
  event: string | null;
  /** JSON array of user ids. */
  mentions: string;
  /** JSON array of attachments. */
  attachments: string;
  state: MessageState;
  /** domain/search-text `searchText` of the body; '' when search must not find it. */
  search_text: string | null;
}

export interface MemberRow {
  conversation_id: string;
  user_id: string;
  display_name: string;
  read_seq: number;
  role: 'admin' | 'member';
  is_agent: 0 | 1;
  joined_at: string;
}

/** reaction -> user ids in the order they reacted. */
export type Reactions = Record<string, string[]>;

/** An agent has no e-mail ('' in the column, see 006_agents.sql): null on the wire. */
export function toUser(row: UserRow): User {
  const isAgent = row.is_agent === 1;
  return { id: row.id, email: isAgent ? null : row.email, display_name: row.display_name, is_agent: isAgent };
}

export function toAuthUser(row: UserRow): AuthUser {
  return {
    ...toUser(row),
    email: row.email,
    password_hash: row.password_hash,
    user_metadata: JSON.parse(row.user_metadata) as Record<string, unknown>,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    conversation_id: row.conversation_id,
    seq: row.seq,
    updated_seq: row.updated_seq,
    sender_id: row.sender_id,
    client_id: row.client_id,
    body: row.body,
    reply_to: row.reply_to,
    created_at: row.created_at,
    edited_at: row.edited_at,
    deleted_at: row.deleted_at,
    reactions: JSON.parse(row.reactions) as Reactions,
    kind: row.kind,
    event: row.event === null ? null : (JSON.parse(row.event) as SystemEvent),
    attachments: JSON.parse(row.attachments) as Attachment[],
    mentions: JSON.parse(row.mentions) as string[],
    state: row.state,
  };
}

export function toMember(row: MemberRow): ConversationMember {
  return {
    user_id: row.user_id,
    display_name: row.display_name,
    read_seq: row.read_seq,
    role: row.role,
    is_agent: row.is_agent === 1,
  };
}

/** Columns of `messages` in MessageRow order, for statements that join it (alias `m`). */
export const MESSAGE_COLUMNS = `m.id, m.conversation_id, m.seq, m.updated_seq, m.sender_id, m.client_id,
  m.body, m.reply_to, m.reactions, m.edit_count, m.last_change, m.created_at, m.edited_at, m.deleted_at,
  m.kind, m.event, m.mentions, m.attachments, m.state, m.search_text`;
