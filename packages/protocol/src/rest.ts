import { z } from 'zod';
import { ERROR_CODES } from './codes';
import { HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT, SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT } from './limits';
import { Conversation, Id, MemberRole, Message, User, type ConversationSettings } from './models';

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
/** A sanity bound on one request's ids; the group size limit is the server's (409 past it). */
const MAX_IDS_PER_REQUEST = 1000;

export const CreateConversationRequest = z.object({
  member_ids: z.array(z.uuid()).min(1).max(MAX_IDS_PER_REQUEST),
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

/** v2 (section 9): a title of 1-100 code points after trimming, or null to clear it. */
export const RenameRequest = z.object({
  title: z
    .string()
    .trim()
    .refine((title) => {
      const length = [...title].length;
      return length >= 1 && length <= MAX_TITLE_LENGTH;
    }, `title must be 1-${MAX_TITLE_LENGTH} characters after trimming`)
    .nullable(),
});
export type RenameRequest = z.infer<typeof RenameRequest>;

export const AddMembersRequest = z.object({ user_ids: z.array(Id).min(1).max(MAX_IDS_PER_REQUEST) });
export type AddMembersRequest = z.infer<typeof AddMembersRequest>;

export const ChangeRoleRequest = z.object({ role: MemberRole });
export type ChangeRoleRequest = z.infer<typeof ChangeRoleRequest>;

/** v2 (section 9): the caller's own settings; fields left out stay as they are. */
export const SettingsRequest = z
  .object({
    muted_until: z.iso.datetime({ offset: true }).nullable().optional(),
    archived: z.boolean().optional(),
    pinned: z.boolean().optional(),
  })
  .strict();
export type SettingsRequest = z.infer<typeof SettingsRequest>;
export type { ConversationSettings };

/** v2 (section 12). */
export const SearchQuery = z.object({
  q: z.string().max(500),
  conversation_id: Id.optional(),
  before: Id.optional(),
  limit: optionalInt
    .pipe(z.int().positive().optional())
    .transform((limit) => Math.min(limit ?? SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT)),
});
export type SearchQuery = z.infer<typeof SearchQuery>;

export const SearchResult = z.object({
  conversation_id: Id,
  message: Message,
  /** `[start, end)` code-point ranges of `body`, each a whole word that matched. */
  matches: z.array(z.tuple([z.int().nonnegative(), z.int().nonnegative()])),
});
export type SearchResult = z.infer<typeof SearchResult>;

export const SearchResponse = z.object({ results: z.array(SearchResult), has_more: z.boolean() });
export type SearchResponse = z.infer<typeof SearchResponse>;

/** `GET /api/config`: what a web app needs to find its auth at runtime. */
export const ClientConfig = z.object({
  auth_mode: z.enum(['embedded', 'supabase']),
  /** Absent for embedded auth: the app uses its own origin. */
  supabase_url: z.string().nullable(),
  supabase_anon_key: z.string(),
});
export type ClientConfig = z.infer<typeof ClientConfig>;

/** v2 (section 13): `GET /api/push/key`, the server's VAPID public key (base64url). */
export const PushKeyResponse = z.object({ public_key: z.string() });
export type PushKeyResponse = z.infer<typeof PushKeyResponse>;

/** The longest push endpoint URL accepted. */
const MAX_PUSH_ENDPOINT_LENGTH = 2048;
const PushEndpoint = z.string().min(1).max(MAX_PUSH_ENDPOINT_LENGTH);
const Base64Url = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9_-]+=*$/, 'must be base64url');

/** v2 (section 13): `POST /api/push/subscriptions`, a browser's PushSubscription as JSON. */
export const PushSubscriptionRequest = z.object({
  endpoint: PushEndpoint,
  keys: z.object({ p256dh: Base64Url, auth: Base64Url }),
});
export type PushSubscriptionRequest = z.infer<typeof PushSubscriptionRequest>;

/** v2 (section 13): `DELETE /api/push/subscriptions`. */
export const PushUnsubscribeRequest = z.object({ endpoint: PushEndpoint });
export type PushUnsubscribeRequest = z.infer<typeof PushUnsubscribeRequest>;

/** v2 (section 14): an agent as its owner sees it. */
export const Agent = User.extend({
  owner_id: Id,
  description: z.string().nullable(),
  public: z.boolean(),
  /** Where new messages are POSTed; null when none is set. */
  webhook_url: z.string().nullable(),
  /** False after the receiver answered 410 (setting the URL again turns it back on). */
  webhook_active: z.boolean(),
  created_at: z.string(),
});
export type Agent = z.infer<typeof Agent>;

export const MAX_AGENT_DESCRIPTION_LENGTH = 500;
export const MAX_WEBHOOK_URL_LENGTH = 2048;
const AgentDescription = z
  .string()
  .trim()
  .refine(
    (text) => [...text].length <= MAX_AGENT_DESCRIPTION_LENGTH,
    `description must be at most ${MAX_AGENT_DESCRIPTION_LENGTH} characters`,
  );

/** v2 (section 14): `POST /api/agents`; the display name follows the people's rules. */
export const CreateAgentRequest = z.object({
  display_name: z.string(),
  description: AgentDescription.nullish(),
  public: z.boolean().optional(),
});
export type CreateAgentRequest = z.infer<typeof CreateAgentRequest>;

/** Its `api_key` and `webhook_secret` are shown this once. */
export const CreateAgentResponse = z.object({
  agent: Agent,
  api_key: z.string(),
  webhook_secret: z.string(),
});
export type CreateAgentResponse = z.infer<typeof CreateAgentResponse>;

export const AgentsResponse = z.object({ agents: z.array(Agent) });
export type AgentsResponse = z.infer<typeof AgentsResponse>;

/** v2 (section 14): `PATCH /api/agents/:id`; fields left out stay; `webhook_url: null` removes it. */
export const UpdateAgentRequest = z
  .object({
    display_name: z.string().optional(),
    description: AgentDescription.nullable().optional(),
    public: z.boolean().optional(),
    webhook_url: z
      .url({ protocol: /^https?$/ })
      .max(MAX_WEBHOOK_URL_LENGTH)
      .nullable()
      .optional(),
  })
  .strict();
export type UpdateAgentRequest = z.infer<typeof UpdateAgentRequest>;

export const AgentResponse = z.object({ agent: Agent });
export type AgentResponse = z.infer<typeof AgentResponse>;

/** `POST /api/agents/:id/keys`: the new key, shown once; the old one stopped. */
export const AgentKeyResponse = z.object({ api_key: z.string() });
export type AgentKeyResponse = z.infer<typeof AgentKeyResponse>;

/** v2 (section 14): the JSON body of a webhook delivery. */
export const WebhookPayload = z.object({
  type: z.literal('message'),
  conversation_id: Id,
  message: Message,
});
export type WebhookPayload = z.infer<typeof WebhookPayload>;
