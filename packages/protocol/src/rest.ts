import { z } from 'zod';
import { ERROR_CODES } from './codes';
import { HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT } from './limits';
import { Conversation, Message, User } from './models';

/** Every REST error body: `{error:{code, message}}` with the matching HTTP status. */
export const ErrorBody = z.object({
  error: z.object({ code: z.enum(ERROR_CODES), message: z.string() }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const MeResponse = z.object({ user: User });
export type MeResponse = z.infer<typeof MeResponse>;

export const UsersQuery = z.object({ query: z.string().max(200).optional() });
export const UsersResponse = z.object({ users: z.array(User) });
export type UsersResponse = z.infer<typeof UsersResponse>;

export const ConversationsResponse = z.object({ conversations: z.array(Conversation) });
export type ConversationsResponse = z.infer<typeof ConversationsResponse>;

export const MAX_TITLE_LENGTH = 100;
export const MAX_GROUP_MEMBERS = 100;

export const CreateConversationRequest = z.object({
  member_ids: z.array(z.uuid()).min(1).max(MAX_GROUP_MEMBERS),
  title: z.string().trim().max(MAX_TITLE_LENGTH).nullish(),
});
export type CreateConversationRequest = z.infer<typeof CreateConversationRequest>;

export const ConversationResponse = z.object({ conversation: Conversation });
export type ConversationResponse = z.infer<typeof ConversationResponse>;

/** Query strings arrive as text; absent or empty means "not given". */
const optionalInt = z.preprocess(
  (value) => (value === '' || value === undefined ? undefined : Number(value)),
  z.int().optional(),
);

export const MessagesQuery = z.object({
  before_seq: optionalInt.pipe(z.int().positive().optional()),
  limit: optionalInt
    .pipe(z.int().positive().optional())
    .transform((limit) => Math.min(limit ?? HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT)),
});
export type MessagesQuery = z.infer<typeof MessagesQuery>;

export const MessagesResponse = z.object({ messages: z.array(Message), has_more: z.boolean() });
export type MessagesResponse = z.infer<typeof MessagesResponse>;

/** `GET /api/config`: what a web app needs to find its auth at runtime. */
export const ClientConfig = z.object({
  auth_mode: z.enum(['embedded', 'supabase']),
  /** Absent for embedded auth: the app uses its own origin. */
  supabase_url: z.string().nullable(),
  supabase_anon_key: z.string(),
});
export type ClientConfig = z.infer<typeof ClientConfig>;
