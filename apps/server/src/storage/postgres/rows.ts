import type { Attachment, Message, MessageChange, MessageState, SystemEvent, User } from '@chat/protocol';
import type { AuthUser } from '../storage';
import { iso, isoOrNull } from './database';

/**
 * Rows as pg returns them and their mapping to the protocol's shapes. pg parses
 * timestamptz into a Date, json and jsonb into values, integer into a number
 * (every count is cast to integer in SQL: bigint would come back as a string).
 */

export interface UserRow {
  id: string;
  email: string;
  display_name: string;
  password_hash: string | null;
  user_metadata: Record<string, unknown>;
  is_agent: boolean;
  created_at: Date;
  updated_at: Date;
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
  reactions: Reactions;
  edit_count: number;
  last_change: MessageChange | null;
  // A Date from a column; an ISO string when the row came inside JSON (to_json).
  created_at: Date | string;
  edited_at: Date | string | null;
  deleted_at: Date | string | null;
  kind: 'text' | 'system';
  event: SystemEvent | null;
  mentions: string[];
  attachments: Attachment[];
  state: MessageState;
}

/** reaction -> user ids in the order they reacted. */
export type Reactions = Record<string, string[]>;

/** Columns of `users` in UserRow order (search_name is for searching only). */
export const USER_COLUMNS = `id, email, display_name, password_hash, user_metadata, is_agent, created_at, updated_at`;

/** Columns of `messages` in MessageRow order, for statements that alias it `m`. */
export const MESSAGE_COLUMNS = `m.id, m.conversation_id, m.seq, m.updated_seq, m.sender_id, m.client_id,
  m.body, m.reply_to, m.reactions, m.edit_count, m.last_change, m.created_at, m.edited_at, m.deleted_at,
  m.kind, m.event, m.mentions, m.attachments, m.state`;

/** An agent has no e-mail ('' in the column, see 006_agents.sql): null on the wire. */
export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.is_agent ? null : row.email,
    display_name: row.display_name,
    is_agent: row.is_agent,
  };
}

export function toAuthUser(row: UserRow): AuthUser {
  return {
    ...toUser(row),
    email: row.email,
    password_hash: row.password_hash,
    user_metadata: row.user_metadata,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
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
    created_at: iso(row.created_at),
    edited_at: isoOrNull(row.edited_at),
    deleted_at: isoOrNull(row.deleted_at),
    reactions: row.reactions,
    kind: row.kind,
    event: row.event,
    attachments: row.attachments,
    mentions: row.mentions,
    state: row.state,
  };
}
