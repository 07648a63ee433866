import { z } from 'zod';
import { MAX_AGENT_STATUS_DETAIL, MAX_ATTACHMENTS, MAX_MENTIONS, MAX_REF_LENGTH } from './limits';
import { Id } from './models';
import { bodyProblem, isValidReaction, streamBodyProblem } from './text';

/** Optional correlation id: a frame with a `ref` gets exactly one direct reply echoing it. */
export const Ref = z.string().min(1).max(MAX_REF_LENGTH);

const Body = z.string().superRefine((body, ctx) => {
  const problem = bodyProblem(body);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const frame = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ type: z.literal(type), ref: Ref.optional(), ...shape });

const StreamBody = z.string().superRefine((body, ctx) => {
  const problem = streamBodyProblem(body);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** A person's access token, or (v2, section 14) an agent's API key: exactly one of them. */
export const AuthenticateFrame = frame('authenticate', {
  token: z.string().optional(),
  api_key: z.string().optional(),
}).superRefine((auth, ctx) => {
  if ((auth.token === undefined) === (auth.api_key === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['token'], message: 'give exactly one of token and api_key' });
  }
});
export const JoinConversationFrame = frame('join_conversation', {
  conversation_id: Id,
  since_seq: z.int().nonnegative().optional(),
});
export const LeaveConversationFrame = frame('leave_conversation', { conversation_id: Id });
export const SendMessageFrame = frame('send_message', {
  conversation_id: Id,
  client_id: Id,
  /** The body rules, except that a message with attachments may have an empty body (section 11). */
  body: z.string(),
  reply_to: Id.nullish(),
  /** v2 (section 10): members mentioned; how they look in `body` is the client's choice. */
  mentions: z.array(Id).max(MAX_MENTIONS).optional(),
  /** v2 (section 11): uploads of the sender not yet in a message. */
  attachment_ids: z.array(Id).max(MAX_ATTACHMENTS).optional(),
  /** v2 (section 14): stored as `streaming`; the body may be empty, up to 16,000 code points. */
  streaming: z.boolean().optional(),
}).superRefine((send, ctx) => {
  if (send.body === '' && (send.attachment_ids?.length ?? 0) > 0) return;
  const problem = send.streaming === true ? streamBodyProblem(send.body) : bodyProblem(send.body);
  if (problem) ctx.addIssue({ code: 'custom', path: ['body'], message: problem });
});
export const TypingFrame = frame('typing', { conversation_id: Id, is_typing: z.boolean() });
export const MarkReadFrame = frame('mark_read', {
  conversation_id: Id,
  seq: z.int().nonnegative(),
});
export const EditMessageFrame = frame('edit_message', { message_id: Id, body: Body });
export const DeleteMessageFrame = frame('delete_message', { message_id: Id });
export const ReactFrame = frame('react', {
  message_id: Id,
  reaction: z.string().refine(isValidReaction, 'reaction must be a tapback name or one emoji').nullable(),
});
export const PingFrame = frame('ping', {});
/** v2 (section 13): whether the page is in view; no reply (`ack` with a ref). Never sent: visible. */
export const ClientStateFrame = frame('client_state', { visible: z.boolean() });

/** v2 (section 14): the whole text so far of the sender's streaming message. */
export const StreamMessageFrame = frame('stream_message', { message_id: Id, body: StreamBody });
/** v2 (section 14): the final text; `complete` unless the sender says it stopped. */
export const EndStreamFrame = frame('end_stream', {
  message_id: Id,
  body: StreamBody,
  state: z.enum(['complete', 'stopped']).optional(),
});
/** v2 (section 14): any member asks the sender to stop. */
export const StopStreamFrame = frame('stop_stream', { message_id: Id });
export const AgentStatus = z.enum(['thinking', 'working', 'idle']);
export type AgentStatus = z.infer<typeof AgentStatus>;
/** v2 (section 14): what the sender is doing in a conversation. */
export const AgentStatusFrame = frame('agent_status', {
  conversation_id: Id,
  status: AgentStatus,
  detail: z
    .string()
    .refine(
      (detail) => [...detail].length <= MAX_AGENT_STATUS_DETAIL,
      `detail must be at most ${MAX_AGENT_STATUS_DETAIL} characters`,
    )
    .nullish(),
});

export const ClientFrame = z.discriminatedUnion('type', [
  AuthenticateFrame,
  JoinConversationFrame,
  LeaveConversationFrame,
  SendMessageFrame,
  TypingFrame,
  MarkReadFrame,
  EditMessageFrame,
  DeleteMessageFrame,
  ReactFrame,
  PingFrame,
  ClientStateFrame,
  StreamMessageFrame,
  EndStreamFrame,
  StopStreamFrame,
  AgentStatusFrame,
]);
export type ClientFrame = z.infer<typeof ClientFrame>;
export type ClientFrameType = ClientFrame['type'];
export type ClientFrameOf<T extends ClientFrameType> = Extract<ClientFrame, { type: T }>;

export const CLIENT_FRAME_TYPES = ClientFrame.options.map(
  (option) => option.shape.type.value,
) as ClientFrameType[];
