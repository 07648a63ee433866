import { z } from 'zod';

/** Every id on the wire is a UUID. */
export const Id = z.uuid();
/** Times are ISO 8601 strings as `Date.toISOString()` writes them. */
export const Timestamp = z.string();

export const User = z.object({
  id: Id,
  email: z.string(),
  display_name: z.string(),
});
export type User = z.infer<typeof User>;

export const Message = z.object({
  id: Id,
  conversation_id: Id,
  seq: z.int().positive(),
  updated_seq: z.int().positive(),
  sender_id: Id,
  client_id: Id,
  body: z.string(),
  reply_to: Id.nullable(),
  created_at: Timestamp,
  edited_at: Timestamp.nullable(),
  deleted_at: Timestamp.nullable(),
  /** reaction -> ids of the users who chose it; a reaction nobody holds is absent. */
  reactions: z.record(z.string(), z.array(Id)),
});
export type Message = z.infer<typeof Message>;

export const MessageChange = z.enum(['edited', 'deleted', 'reaction']);
export type MessageChange = z.infer<typeof MessageChange>;

export const ConversationMember = z.object({
  user_id: Id,
  display_name: z.string(),
  read_seq: z.int().nonnegative(),
});
export type ConversationMember = z.infer<typeof ConversationMember>;

export const JoinedMember = ConversationMember.extend({ online: z.boolean() });
export type JoinedMember = z.infer<typeof JoinedMember>;

export const Conversation = z.object({
  id: Id,
  title: z.string().nullable(),
  is_group: z.boolean(),
  members: z.array(ConversationMember),
  last_message: Message.nullable(),
  last_seq: z.int().nonnegative(),
  unread_count: z.int().nonnegative(),
  created_at: Timestamp,
});
export type Conversation = z.infer<typeof Conversation>;
