import { z } from 'zod';

/** Every id on the wire is a UUID. */
export const Id = z.uuid();
/** Times are ISO 8601 strings as `Date.toISOString()` writes them. */
export const Timestamp = z.string();

export const User = z.object({
  id: Id,
  /** v2: `null` in a user search that did not name a prefix of it (section 7). */
  email: z.string().nullable(),
  display_name: z.string(),
  /** v2 (section 14): software drives this user. */
  is_agent: z.boolean(),
});
export type User = z.infer<typeof User>;

/** v2 (section 8): what a `system` message records. `sender_id` is who did it. */
export const SystemEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('renamed'), title: z.string().nullable() }),
  z.object({ type: z.literal('members_added'), user_ids: z.array(Id) }),
  z.object({ type: z.literal('member_removed'), user_id: Id }),
  z.object({ type: z.literal('member_left'), user_id: Id }),
  z.object({ type: z.literal('role_changed'), user_id: Id, role: z.enum(['admin', 'member']) }),
]);
export type SystemEvent = z.infer<typeof SystemEvent>;

export const MemberRole = z.enum(['admin', 'member']);
export type MemberRole = z.infer<typeof MemberRole>;

/** v2 (section 11): a file in a message. */
export const Attachment = z.object({
  id: Id,
  name: z.string(),
  mime_type: z.string(),
  size: z.int().nonnegative(),
  width: z.int().positive().nullable(),
  height: z.int().positive().nullable(),
  url: z.string(),
  thumbnail_url: z.string().nullable(),
});
export type Attachment = z.infer<typeof Attachment>;

/** v2 (section 14): a streamed message is `streaming` until it ends. */
export const MessageState = z.enum(['complete', 'streaming', 'stopped', 'interrupted']);
export type MessageState = z.infer<typeof MessageState>;

export const Message = z.object({
  id: Id,
  conversation_id: Id,
  seq: z.int().positive(),
  updated_seq: z.int().positive(),
  sender_id: Id,
  /** `null` for a system message. */
  client_id: Id.nullable(),
  body: z.string(),
  reply_to: Id.nullable(),
  created_at: Timestamp,
  edited_at: Timestamp.nullable(),
  deleted_at: Timestamp.nullable(),
  /** reaction -> ids of the users who chose it; a reaction nobody holds is absent. */
  reactions: z.record(z.string(), z.array(Id)),
  /** v2 (section 8). */
  kind: z.enum(['text', 'system']),
  event: SystemEvent.nullable(),
  attachments: z.array(Attachment),
  mentions: z.array(Id),
  state: MessageState,
});
export type Message = z.infer<typeof Message>;

export const MessageChange = z.enum(['edited', 'deleted', 'reaction', 'completed']);
export type MessageChange = z.infer<typeof MessageChange>;

export const ConversationMember = z.object({
  user_id: Id,
  display_name: z.string(),
  read_seq: z.int().nonnegative(),
  /** v2 (section 9): a 1:1's members are all `member`. */
  role: MemberRole,
  is_agent: z.boolean(),
});
export type ConversationMember = z.infer<typeof ConversationMember>;

export const JoinedMember = ConversationMember.extend({ online: z.boolean() });
export type JoinedMember = z.infer<typeof JoinedMember>;

/** v2 (section 9): one member's own view of a conversation; `muted_until` far in the future = always. */
export const ConversationSettings = z.object({
  muted_until: Timestamp.nullable(),
  archived: z.boolean(),
  pinned: z.boolean(),
});
export type ConversationSettings = z.infer<typeof ConversationSettings>;

export const Conversation = z.object({
  id: Id,
  title: z.string().nullable(),
  is_group: z.boolean(),
  members: z.array(ConversationMember),
  last_message: Message.nullable(),
  last_seq: z.int().nonnegative(),
  unread_count: z.int().nonnegative(),
  created_at: Timestamp,
  /** v2 (section 9): the caller's own settings. */
  settings: ConversationSettings,
  /** v2 (section 10): others' messages above the caller's read_seq that mention the caller. */
  unread_mentions: z.int().nonnegative(),
});
export type Conversation = z.infer<typeof Conversation>;
