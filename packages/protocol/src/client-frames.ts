import { z } from 'zod';
import { MAX_ATTACHMENTS, MAX_MENTIONS, MAX_REF_LENGTH } from './limits';
import { Id } from './models';
import { bodyProblem, isValidReaction } from './text';

/** Optional correlation id: a frame with a `ref` gets exactly one direct reply echoing it. */
export const Ref = z.string().min(1).max(MAX_REF_LENGTH);

const Body = z.string().superRefine((body, ctx) => {
  const problem = bodyProblem(body);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const frame = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ type: z.literal(type), ref: Ref.optional(), ...shape });

export const AuthenticateFrame = frame('authenticate', { token: z.string() });
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
}).superRefine((send, ctx) => {
  if (send.body === '' && (send.attachment_ids?.length ?? 0) > 0) return;
  const problem = bodyProblem(send.body);
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
]);
export type ClientFrame = z.infer<typeof ClientFrame>;
export type ClientFrameType = ClientFrame['type'];
export type ClientFrameOf<T extends ClientFrameType> = Extract<ClientFrame, { type: T }>;

export const CLIENT_FRAME_TYPES = ClientFrame.options.map(
  (option) => option.shape.type.value,
) as ClientFrameType[];
