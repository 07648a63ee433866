import { z } from 'zod';
import { ERROR_CODES } from './codes';
import { Conversation, Id, JoinedMember, Message, MessageChange, Timestamp, User } from './models';
import { PROTOCOL_VERSION } from './limits';
import { AgentStatus, Ref } from './client-frames';

const frame = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ type: z.literal(type), ref: Ref.optional(), ...shape });

export const AuthenticatedFrame = frame('authenticated', {
  user: User,
  /** v2 (section 14): `null` for an agent's API key, which does not expire. */
  expires_at: Timestamp.nullable(),
  /** v2: the protocol version the server speaks. */
  protocol: z.literal(PROTOCOL_VERSION),
});
export const JoinedFrame = frame('joined', {
  conversation_id: Id,
  last_seq: z.int().nonnegative(),
  members: z.array(JoinedMember),
  messages: z.array(Message),
  has_more: z.boolean(),
});
export const LeftFrame = frame('left', {
  conversation_id: Id,
  /** v2: `left` answers the connection's own leave; `removed` when the user stopped being a member. */
  reason: z.enum(['left', 'removed']),
});
export const MessageAckFrame = frame('message_ack', { client_id: Id, message: Message });
export const MessageFrame = frame('message', { message: Message });
export const MessageUpdatedFrame = frame('message_updated', {
  message: Message,
  change: MessageChange,
});
export const TypingEventFrame = frame('typing', {
  conversation_id: Id,
  user_id: Id,
  is_typing: z.boolean(),
});
export const ReadFrame = frame('read', {
  conversation_id: Id,
  user_id: Id,
  seq: z.int().nonnegative(),
});
export const PresenceFrame = frame('presence', {
  conversation_id: Id,
  user_id: Id,
  online: z.boolean(),
});
export const ConversationFrame = frame('conversation', { conversation: Conversation });
/** v2 (section 9): the user is no longer a member. */
export const ConversationRemovedFrame = frame('conversation_removed', { conversation_id: Id });
/** v2 (section 14): the latest text of a streaming message; not stored, no seq. */
export const MessageStreamFrame = frame('message_stream', {
  conversation_id: Id,
  message_id: Id,
  body: z.string(),
});
/** v2 (section 14): to the sender's connections: member `by` asked it to stop. */
export const StreamStopFrame = frame('stream_stop', { conversation_id: Id, message_id: Id, by: Id });
/** v2 (section 14): what an agent is doing in a conversation. */
export const AgentStatusEventFrame = frame('agent_status', {
  conversation_id: Id,
  user_id: Id,
  status: AgentStatus,
  detail: z.string().nullable(),
});
export const PongFrame = frame('pong', { server_time: Timestamp });
export const AckFrame = z.object({ type: z.literal('ack'), ref: Ref });
export const ErrorFrame = frame('error', {
  code: z.enum(ERROR_CODES),
  message: z.string(),
  client_id: Id.optional(),
  retry_after_ms: z.int().nonnegative().optional(),
});

export const ServerFrame = z.discriminatedUnion('type', [
  AuthenticatedFrame,
  JoinedFrame,
  LeftFrame,
  MessageAckFrame,
  MessageFrame,
  MessageUpdatedFrame,
  TypingEventFrame,
  ReadFrame,
  PresenceFrame,
  ConversationFrame,
  ConversationRemovedFrame,
  MessageStreamFrame,
  StreamStopFrame,
  AgentStatusEventFrame,
  PongFrame,
  AckFrame,
  ErrorFrame,
]);
export type ServerFrame = z.infer<typeof ServerFrame>;
export type ServerFrameType = ServerFrame['type'];
export type ServerFrameOf<T extends ServerFrameType> = Extract<ServerFrame, { type: T }>;
export type ErrorFrame = z.infer<typeof ErrorFrame>;
