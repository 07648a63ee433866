import {
  PROTOCOL_VERSION,
  type AgentStatus,
  type Conversation,
  type ErrorCode,
  type JoinedMember,
  type Message,
  type MessageChange,
  type ServerFrame,
  type ServerFrameOf,
  type User,
} from '@chat/protocol';
import { countFrameSerialized } from '../metrics';

/**
 * The one home of outbound frames. Every frame the server sends is made by one
 * of these builders, whose return types are the protocol package's server-frame
 * types (a misspelt field fails the typecheck), and turned into text by
 * `serializeFrame` alone: once per frame, whatever the number of recipients.
 */

type Ref = string | undefined;

/** `ref` is echoed only when the request had one. */
const withRef = (ref: Ref): { ref?: string } => (ref === undefined ? {} : { ref });

export function serializeFrame(frame: ServerFrame): string {
  countFrameSerialized();
  return JSON.stringify(frame);
}

export const ackFrame = (ref: string): ServerFrameOf<'ack'> => ({ type: 'ack', ref });

export const pongFrame = (ref: Ref, serverTime: Date): ServerFrameOf<'pong'> => ({
  type: 'pong',
  ...withRef(ref),
  server_time: serverTime.toISOString(),
});

export interface ErrorDetails {
  code: ErrorCode;
  message: string;
  retryAfterMs?: number | undefined;
}

export const errorFrame = (
  error: ErrorDetails,
  context: { ref?: string | undefined; clientId?: string | undefined } = {},
): ServerFrameOf<'error'> => ({
  type: 'error',
  code: error.code,
  message: error.message,
  ...withRef(context.ref),
  ...(context.clientId === undefined ? {} : { client_id: context.clientId }),
  ...(error.retryAfterMs === undefined ? {} : { retry_after_ms: error.retryAfterMs }),
});

/** `expiresAt` null: an agent's API key, which does not expire (section 14). */
export const authenticatedFrame = (
  ref: Ref,
  user: User,
  expiresAt: Date | null,
): ServerFrameOf<'authenticated'> => ({
  type: 'authenticated',
  ...withRef(ref),
  user,
  expires_at: expiresAt?.toISOString() ?? null,
  protocol: PROTOCOL_VERSION,
});

export const joinedFrame = (
  ref: Ref,
  joined: {
    conversation_id: string;
    last_seq: number;
    members: JoinedMember[];
    messages: Message[];
    has_more: boolean;
  },
): ServerFrameOf<'joined'> => ({ type: 'joined', ...withRef(ref), ...joined });

/** `reason`: `left` answers the connection's own leave; `removed` when the user stopped being a member. */
export const leftFrame = (
  ref: Ref,
  conversationId: string,
  reason: 'left' | 'removed' = 'left',
): ServerFrameOf<'left'> => ({
  type: 'left',
  ...withRef(ref),
  conversation_id: conversationId,
  reason,
});

export const messageAckFrame = (
  ref: Ref,
  clientId: string,
  message: Message,
): ServerFrameOf<'message_ack'> => ({
  type: 'message_ack',
  ...withRef(ref),
  client_id: clientId,
  message,
});

export const messageFrame = (message: Message): ServerFrameOf<'message'> => ({ type: 'message', message });

export const messageUpdatedFrame = (
  message: Message,
  change: MessageChange,
): ServerFrameOf<'message_updated'> => ({ type: 'message_updated', message, change });

export const typingFrame = (
  conversationId: string,
  userId: string,
  isTyping: boolean,
): ServerFrameOf<'typing'> => ({
  type: 'typing',
  conversation_id: conversationId,
  user_id: userId,
  is_typing: isTyping,
});

export const presenceFrame = (
  conversationId: string,
  userId: string,
  online: boolean,
): ServerFrameOf<'presence'> => ({
  type: 'presence',
  conversation_id: conversationId,
  user_id: userId,
  online,
});

export const readFrame = (conversationId: string, userId: string, seq: number): ServerFrameOf<'read'> => ({
  type: 'read',
  conversation_id: conversationId,
  user_id: userId,
  seq,
});

export const conversationFrame = (conversation: Conversation): ServerFrameOf<'conversation'> => ({
  type: 'conversation',
  conversation,
});

export const conversationRemovedFrame = (conversationId: string): ServerFrameOf<'conversation_removed'> => ({
  type: 'conversation_removed',
  conversation_id: conversationId,
});

/** Section 14: the latest text of a streaming message, relayed (not stored, no seq). */
export const messageStreamFrame = (
  conversationId: string,
  messageId: string,
  body: string,
): ServerFrameOf<'message_stream'> => ({
  type: 'message_stream',
  conversation_id: conversationId,
  message_id: messageId,
  body,
});

/** Section 14: to the sender's connections: member `by` asked the stream to stop. */
export const streamStopFrame = (
  conversationId: string,
  messageId: string,
  by: string,
): ServerFrameOf<'stream_stop'> => ({
  type: 'stream_stop',
  conversation_id: conversationId,
  message_id: messageId,
  by,
});

/** Section 14: what a member (an agent, usually) is doing in a conversation. */
export const agentStatusFrame = (
  conversationId: string,
  userId: string,
  status: AgentStatus,
  detail: string | null,
): ServerFrameOf<'agent_status'> => ({
  type: 'agent_status',
  conversation_id: conversationId,
  user_id: userId,
  status,
  detail,
});
