import type {
  Agent,
  Attachment,
  Conversation,
  ConversationMember,
  Message,
  MessageChange,
  MessageState,
  User,
} from '@chat/protocol';
import type { GroupFacts, GroupPlan } from '../domain/group-rules';
import type { Membership } from '../domain/membership-rules';
import type { Rejection } from '../domain/rejection';
import type { SearchTerms } from '../domain/search-text';
import type { StreamFacts } from '../domain/stream-rules';
import type { JsonPieces } from './json-pieces';

/**
 * The one storage interface. SQLite (embedded default) and PostgreSQL implement it,
 * and both run the same contract suite (test/storage/storage-contract.ts). The
 * business rules they apply inside their transactions are domain/'s.
 *
 * Every method is atomic on its own. Methods that change a conversation take the
 * next value of its counter inside their transaction, so seqs are gapless.
 */
export interface Storage {
  readonly kind: 'sqlite' | 'postgres';

  // ---- users ----
  /** Creates the user when the id is new (first use of a token); returns the stored user. */
  ensureUser(user: NewUser): Promise<User>;
  getUser(id: string): Promise<User | null>;
  /**
   * Display name or e-mail prefix, case-insensitive; `excludeId` (the searcher) left out; ordered by
   * display name. Agents (section 14) only when public or owned by `excludeId`; deleted ones never.
   */
  searchUsers(query: string, excludeId: string, limit: number): Promise<User[]>;

  // ---- embedded auth ----
  /** `null` when the e-mail is taken. */
  createPasswordUser(user: NewPasswordUser): Promise<AuthUser | null>;
  findAuthUserByEmail(email: string): Promise<AuthUser | null>;
  getAuthUser(id: string): Promise<AuthUser | null>;
  createAuthSession(session: { id: string; user_id: string; refresh_token_hash: string }): Promise<void>;
  /**
   * Atomically revokes `oldHash` (at `now`, default the wall clock) and issues `newHash`
   * in the same session. Returns null when the token is unknown, revoked, or its session is revoked.
   */
  rotateRefreshToken(
    oldHash: string,
    newHash: string,
    now?: Date,
  ): Promise<{ user_id: string; session_id: string } | null>;
  /** A refresh token in any state (reuse detection needs the revoked ones too); null when unknown. */
  findRefreshToken(hash: string): Promise<StoredRefreshToken | null>;
  revokeAuthSession(sessionId: string): Promise<void>;
  /** Revokes the user's live sessions, but `exceptSessionId`; returns the ids it revoked. */
  revokeUserAuthSessions(userId: string, exceptSessionId?: string): Promise<string[]>;
  /** Those of `sessionIds` that are revoked (unknown ids are not: tokens minted elsewhere have none). */
  revokedAuthSessions(sessionIds: readonly string[]): Promise<string[]>;
  /**
   * Changes what is given (display_name in `users` too, so the chat sees it);
   * `email_taken` when another user holds the new e-mail; null for an unknown id.
   */
  updateAuthUser(id: string, changes: AuthUserChanges, now: Date): Promise<AuthUser | 'email_taken' | null>;
  /** Stores a recovery or e-mail change token; earlier unused ones of the same user and purpose stop working. */
  createOneTimeToken(token: NewOneTimeToken, now: Date): Promise<void>;
  /**
   * Uses a one-time token once: by its link hash, or by the user's latest code.
   * A wrong code counts an attempt; at `maxAttempts` the token is spent. Null
   * when nothing live matches.
   */
  consumeOneTimeToken(
    match: { token_hash: string } | { user_id: string; code_hash: string },
    purpose: OneTimeTokenPurpose,
    now: Date,
    maxAttempts: number,
  ): Promise<{ user_id: string; new_email: string | null } | null>;

  // ---- conversations ----
  /**
   * Creates a conversation of `creatorId` and `otherIds` (already known to exist).
   * One other member: a 1:1, returned as is if the pair already has one (`created` false).
   */
  createConversation(input: NewConversation): Promise<{ id: string; created: boolean }>;
  /** The conversation as `viewerId` sees it (unread count, last message); null when absent. */
  getConversation(id: string, viewerId: string): Promise<Conversation | null>;
  /**
   * The viewer's conversations, each as getConversation shows it: pinned first
   * (most recently pinned first), then newest message first (no messages: by created_at).
   */
  listConversations(viewerId: string): Promise<Conversation[]>;
  /**
   * The same list as each conversation's JSON (json-pieces.ts), in order, built
   * by the database: the HTTP listing writes the pieces as they are, without
   * mapping or serialising a row (issue 13).
   */
  listConversationsJson(viewerId: string): Promise<JsonPieces[]>;
  membership(conversationId: string, userId: string): Promise<Membership>;
  memberIds(conversationId: string): Promise<string[]>;
  /**
   * One change to a group (docs/protocol.md section 9) in one transaction: the
   * facts are read (and locked), `decide` (a domain/group-rules planner) makes
   * the plan, and the plan is applied: one system message per event, each
   * taking the next seq, then the title, members and roles. An unknown
   * conversation is `not_found` without asking `decide`.
   */
  changeGroup(input: {
    conversation_id: string;
    actor_id: string;
    decide: (facts: GroupFacts) => Rejection | GroupPlan;
  }): Promise<GroupChangeOutcome>;
  /** The member's own settings; fields left out stay. Not a member: the membership refusal. */
  updateSettings(input: {
    conversation_id: string;
    user_id: string;
    changes: SettingsChanges;
    now: Date;
  }): Promise<Rejection | { status: 'changed' }>;

  // ---- messages ----
  /**
   * Group commit: every send in ONE transaction, outcomes in input order. A
   * (sender_id, client_id) already stored, earlier in the batch included, is a
   * `duplicate` carrying the stored message.
   */
  appendMessages(batch: NewMessage[]): Promise<AppendOutcome[]>;
  /**
   * How many `appendMessages` calls may be under way at once. More than 1 only
   * where storage commits them strictly in the order they were called (one
   * writer, first in first out), so a conversation's sends keep their order.
   * Default 1.
   */
  readonly appendPipelineDepth?: number;
  editMessage(input: {
    message_id: string;
    user_id: string;
    body: string;
    now: Date;
  }): Promise<ChangeOutcome>;
  deleteMessage(input: { message_id: string; user_id: string; now: Date }): Promise<ChangeOutcome>;
  setReaction(input: {
    message_id: string;
    user_id: string;
    reaction: string | null;
  }): Promise<ChangeOutcome>;
  /** `seq` above last_seq is taken as last_seq; read_seq only grows. */
  markRead(input: { conversation_id: string; user_id: string; seq: number }): Promise<ReadOutcome>;

  /** What `joined` carries, read in one snapshot. */
  joinSnapshot(conversationId: string, sinceSeq: number | undefined): Promise<JoinSnapshot>;
  /** `seq` < beforeSeq (newest when undefined), the newest `limit`, in seq order. */
  messagesBefore(
    conversationId: string,
    beforeSeq: number | undefined,
    limit: number,
  ): Promise<{ messages: Message[]; has_more: boolean }>;
  /** Messages with updated_seq > sinceSeq in updated_seq order (gap filling), with their last change. */
  changesSince(conversationId: string, sinceSeq: number, limit: number): Promise<StoredChange[]>;
  lastSeq(conversationId: string): Promise<number>;
  /**
   * lastSeq of many conversations in one read (the rooms' periodic resync); one
   * that does not exist is left out.
   */
  lastSeqs(conversationIds: readonly string[]): Promise<Map<string, number>>;
  /**
   * docs/protocol.md section 12: the viewer's text messages (or one
   * conversation's, when the viewer is a member) that hold every term, not
   * deleted, newest first (created_at, then id), older than `before` when
   * given; each with its match ranges (domain/search-text `matchRanges`).
   */
  searchMessages(input: SearchInput): Promise<{ results: SearchHit[]; has_more: boolean }>;

  // ---- streams (section 14) ----
  /** A message's stream facts and whether `actorId` is a member of its conversation; null when unknown. */
  streamFacts(messageId: string, actorId: string): Promise<StreamFacts | null>;
  /**
   * Stores a streaming message's final body and state (domain/stream-rules
   * `checkStreamWrite` as `user_id`): one seq, change `completed`, and its
   * checkpoint removed. A message no longer streaming loses its checkpoint too.
   */
  endStream(input: EndStreamInput): Promise<ChangeOutcome>;
  /** The owning process's checkpoint of a live stream: its latest body, active at `now`. */
  checkpointStream(input: { message_id: string; body: string; now: Date }): Promise<void>;
  /** Streams whose last checkpoint is older than `before` (their process is gone), oldest first. */
  staleStreams(before: Date, limit: number): Promise<StreamCheckpoint[]>;

  // ---- attachments (section 11; their bytes are attachments/'s) ----
  /** Records an upload whose bytes are already stored; no message holds it yet. */
  createAttachment(attachment: NewAttachment): Promise<void>;
  /** Null when unknown, claimed, or held by an unsent message. */
  getAttachment(id: string): Promise<StoredAttachment | null>;
  /**
   * Whether `userId` may read it without a signature: its uploader while no
   * message holds it, or a member of the conversation of the message holding it.
   */
  canReadAttachment(id: string, userId: string): Promise<boolean>;
  /**
   * Deletes, and returns for their bytes to be deleted, the records of an unsent
   * message's attachments, or of every unsent message's when `message_id` is
   * left out, and of uploads no message took by `uploaded_before`; at most `limit`.
   */
  claimDeadAttachments(input: {
    message_id?: string;
    uploaded_before?: Date;
    limit: number;
  }): Promise<StoredAttachment[]>;

  // ---- push subscriptions (section 13) ----
  /** Stores the caller's subscription; the same endpoint again replaces it (and moves it to this user). */
  savePushSubscription(subscription: NewPushSubscription): Promise<void>;
  /** Deletes the endpoint if it is this user's; false when it is not (or unknown). */
  deletePushSubscription(input: { user_id: string; endpoint: string }): Promise<boolean>;
  /** Deletes the endpoint whoever holds it (its push service said 404 or 410). */
  deletePushEndpoint(endpoint: string): Promise<boolean>;
  /** Every subscription of these users. */
  pushSubscriptionsOf(userIds: readonly string[]): Promise<StoredPushSubscription[]>;
  /** The conversation's title and its members with their names and mutes; null when absent. */
  pushAudience(conversationId: string): Promise<PushAudience | null>;

  // ---- agents (section 14) ----
  /** The agent's user (is_agent, no e-mail) and its agents row, in one transaction. */
  createAgent(agent: NewAgent): Promise<Agent>;
  /** Null when unknown or deleted (a deleted agent's users row stays for its messages). */
  getAgent(id: string): Promise<Agent | null>;
  /** The owner's agents, oldest first. */
  listAgents(ownerId: string): Promise<Agent[]>;
  /** Changes what is given; any `webhook_url` given turns the webhook on again. Null when unknown. */
  updateAgent(id: string, changes: AgentChanges, now: Date): Promise<Agent | null>;
  /** Stores the new key's hash: the old key stops at once. False when unknown. */
  replaceAgentKey(id: string, apiKeyHash: string): Promise<boolean>;
  /** Deletes the agents row (its key stops; its users row stays). False when unknown. */
  deleteAgent(id: string): Promise<boolean>;
  /** The user of the agent whose key has this hash; null for a replaced, deleted or unknown key. */
  agentUserByKeyHash(apiKeyHash: string): Promise<User | null>;

  // ---- webhook deliveries (section 14) ----
  /** The agent members of the conversation, but `senderId`, whose webhook is set and on. */
  webhookRecipients(conversationId: string, senderId: string): Promise<string[]>;
  /** Queues deliveries, due at once; an id already queued is left as it is. */
  enqueueWebhookDeliveries(deliveries: readonly NewWebhookDelivery[]): Promise<void>;
  /**
   * Up to `limit` deliveries due at `now`, each with one more attempt counted and
   * not due again before `lease_until` (two processes never take the same one),
   * with the agent's webhook as it is now (null when unset, off or deleted).
   */
  claimWebhookDeliveries(input: {
    now: Date;
    lease_until: Date;
    limit: number;
  }): Promise<ClaimedWebhookDelivery[]>;
  /** Sets the next attempt, if the delivery is still at `attempts` (no one claimed it since); false otherwise. */
  rescheduleWebhookDelivery(input: { id: string; attempts: number; next_attempt_at: Date }): Promise<boolean>;
  /** Delivered, given up or dropped. */
  deleteWebhookDelivery(id: string): Promise<void>;
  /** The receiver answered 410: the agent's webhook off and its queued deliveries dropped, together. */
  turnOffWebhook(agentId: string): Promise<void>;
  /** The agent's queued deliveries, oldest first. */
  webhookDeliveriesOf(agentId: string): Promise<StoredWebhookDelivery[]>;

  /** Cheap round trip for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface AuthUser extends User {
  /** Always known for an account (only a directory search hides it). */
  email: string;
  password_hash: string | null;
  user_metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export interface NewPasswordUser {
  id: string;
  email: string;
  display_name: string;
  password_hash: string;
  user_metadata: Record<string, unknown>;
}

/** A user as a token or a sign-up first names them. */
export interface NewUser {
  id: string;
  email: string;
  display_name: string;
}

export interface SettingsChanges {
  muted_until?: string | null | undefined;
  archived?: boolean | undefined;
  pinned?: boolean | undefined;
}

export type GroupChangeOutcome =
  /** `messages`: the system messages appended, in seq order. */
  | { status: 'changed'; plan: GroupPlan; messages: Message[] }
  /** Nothing to do (a rename to the same title, only members added): no seq taken. */
  | { status: 'unchanged' }
  | Rejection;

export interface SearchInput {
  viewer_id: string;
  terms: SearchTerms;
  conversation_id?: string | undefined;
  /** A message id: results older than it. An unknown id yields nothing. */
  before?: string | undefined;
  limit: number;
}

export interface SearchHit {
  message: Message;
  matches: Array<[number, number]>;
}

export interface StoredRefreshToken {
  session_id: string;
  user_id: string;
  /** ISO time the token was rotated or revoked; null while it is the live one. */
  revoked_at: string | null;
  session_revoked: boolean;
}

export interface AuthUserChanges {
  email?: string;
  display_name?: string;
  password_hash?: string;
  user_metadata?: Record<string, unknown>;
}

export type OneTimeTokenPurpose = 'recovery' | 'email_change';

export interface NewOneTimeToken {
  /** sha256 of the token in the link. */
  token_hash: string;
  /** sha256 of the user's id and the short code, so equal codes of two users differ. */
  code_hash: string;
  user_id: string;
  purpose: OneTimeTokenPurpose;
  /** E-mail change only: the address it changes to. */
  new_email: string | null;
  expires_at: Date;
}

export interface NewAgent {
  id: string;
  owner_id: string;
  display_name: string;
  description: string | null;
  public: boolean;
  /** sha256 (hex) of the API key: the key itself is never stored. */
  api_key_hash: string;
  /** The webhook secret sealed by auth/secret-box.ts (deliveries are signed with it). */
  webhook_secret_sealed: string;
  now: Date;
}

/** `PATCH /api/agents/:id`: fields left out stay; `null` clears description or webhook_url. */
export interface AgentChanges {
  display_name?: string | undefined;
  description?: string | null | undefined;
  public?: boolean | undefined;
  webhook_url?: string | null | undefined;
}

export interface NewConversation {
  creatorId: string;
  otherIds: string[];
  title: string | null;
}

export interface NewMessage {
  conversation_id: string;
  sender_id: string;
  client_id: string;
  body: string;
  reply_to: string | null;
  /** User ids mentioned (section 10); each must be a member. */
  mentions: string[];
  /** Section 11: the sender's uploads no message holds yet, in the order the message shows them. */
  attachment_ids?: string[] | undefined;
  /** Section 14: stored with `state: "streaming"` (the body may be empty) and a stream checkpoint. */
  streaming?: boolean | undefined;
}

export interface EndStreamInput {
  message_id: string;
  /** The sender (the server ends a stream as its sender). */
  user_id: string;
  body: string;
  state: Exclude<MessageState, 'streaming'>;
  /** The server ends it for the sender, who may have left the conversation since: membership is not asked. */
  by_server?: boolean | undefined;
}

/** A live stream as its owning process last checkpointed it. */
export interface StreamCheckpoint {
  message_id: string;
  conversation_id: string;
  sender_id: string;
  body: string;
}

export interface NewAttachment {
  id: string;
  uploader_id: string;
  name: string;
  /** Decided from the bytes. */
  mime_type: string;
  /** Bytes as stored (after stripping metadata). */
  size: number;
  width: number | null;
  height: number | null;
  /** Keys of the AttachmentStore. */
  storage_key: string;
  thumbnail_key: string | null;
  /** The signed paths that the Attachment of the protocol carries (attachments/signing.ts). */
  url: string;
  thumbnail_url: string | null;
  created_at: Date;
}

export interface StoredAttachment extends Omit<NewAttachment, 'created_at'> {
  message_id: string | null;
  created_at: string;
}

/** The protocol's shape of a stored attachment. */
export function toAttachment(stored: NewAttachment | StoredAttachment): Attachment {
  return {
    id: stored.id,
    name: stored.name,
    mime_type: stored.mime_type,
    size: stored.size,
    width: stored.width,
    height: stored.height,
    url: stored.url,
    thumbnail_url: stored.thumbnail_url,
  };
}

export interface NewPushSubscription {
  user_id: string;
  endpoint: string;
  /** base64url, as the browser's PushSubscription gives them. */
  p256dh: string;
  auth: string;
  now: Date;
}

export interface StoredPushSubscription {
  endpoint: string;
  user_id: string;
  p256dh: string;
  auth: string;
}

export interface PushAudience {
  title: string | null;
  /** `subscribed`: the member has a push subscription (read with the members, so a send needs no other read). */
  members: Array<{ user_id: string; display_name: string; muted_until: string | null; subscribed: boolean }>;
}

/**
 * Who a new message concerns beyond its room, read in the transaction that
 * stored it, where the storage can do that at no extra round trip (SQLite's
 * writer thread). Absent: the caller reads it (pushAudience, webhookRecipients).
 */
export interface MessageAudience {
  push: PushAudience | null;
  webhookAgentIds: string[];
}

export type AppendOutcome =
  | { status: 'created'; message: Message; audience?: MessageAudience }
  | { status: 'duplicate'; message: Message }
  | Rejection;

export type ChangeOutcome =
  | { status: 'changed'; message: Message; change: MessageChange }
  /** Nothing changed (the same reaction again): no seq taken, nothing to broadcast. */
  | { status: 'unchanged'; message: Message }
  | Rejection;

export type ReadOutcome = { status: 'changed' | 'unchanged'; read_seq: number } | Rejection;

export interface JoinSnapshot {
  last_seq: number;
  members: ConversationMember[];
  messages: Message[];
  has_more: boolean;
}

/** A message's current state and the kind of its latest change (`created` when never changed). */
export interface StoredChange {
  message: Message;
  change: MessageChange | 'created';
}

export interface NewWebhookDelivery {
  /** The `webhook-id`, the same for every retry. */
  id: string;
  agent_id: string;
  /** The exact JSON body to sign and send. */
  payload: string;
  now: Date;
}

export interface StoredWebhookDelivery {
  id: string;
  agent_id: string;
  payload: string;
  attempts: number;
  next_attempt_at: string;
  created_at: string;
}

export interface ClaimedWebhookDelivery extends StoredWebhookDelivery {
  /** Where and with which (sealed) secret to send it; null: the webhook is unset, off or the agent deleted. */
  webhook: { url: string; secret_sealed: string } | null;
}
