import {
  DELETE_WINDOW_MS,
  EDIT_WINDOW_MS,
  ErrorCode,
  MAX_ATTACHMENTS,
  MAX_EDITS,
  type Message,
} from '@chat/protocol';
import { checkMembership, type Membership } from './membership-rules';
import { reject, type Rejection } from './rejection';

/**
 * The rules of sending, editing, unsending and reacting, in the order
 * docs/protocol.md section 5 gives (existence and membership, then
 * authorization, then state). Both storage drivers call these inside their
 * transaction with the facts they read, so each rule lives once.
 */
export interface MessageFacts {
  sender_id: string;
  created_at: string;
  deleted_at: string | null;
  edit_count: number;
  kind: 'text' | 'system';
  /** Whether the acting user is a member of the message's conversation. */
  actor_is_member: boolean;
}

/** What a send is checked against, read by storage in the send's transaction. */
export interface SendFacts {
  membership: Membership;
  /** The message stored earlier under the same (sender, client_id), in any conversation. */
  duplicate: Message | null;
  /** The conversation of the message named by `reply_to`; null when there is no such message. */
  replyToConversationId: string | null;
  /** The conversation's members; read only when the send mentions someone. */
  memberIds: ReadonlySet<string>;
  /** The stored uploads among the send's `attachment_ids` (unknown and swept ones are absent). */
  attachments: readonly AttachmentFacts[];
}

/** What a send needs to know of an upload it names (section 11). */
export interface AttachmentFacts {
  id: string;
  uploader_id: string;
  /** The message already holding it; null until it is sent. */
  message_id: string | null;
}

export interface SendRequest {
  conversation_id: string;
  sender_id: string;
  body: string;
  reply_to: string | null;
  mentions: readonly string[];
  /** Section 11: uploads to put in the message, in order. */
  attachment_ids?: readonly string[] | undefined;
  /** Section 14: a streaming message may start empty. */
  streaming?: boolean | undefined;
}

export const messageNotFound = (): Rejection => reject(ErrorCode.NotFound, 'message not found');

/**
 * The schema already bounds a body's length; what is left is what a storage
 * engine cannot hold. PostgreSQL's text refuses U+0000, so every driver does,
 * and one contract behaves the same on both.
 */
export function checkBody(body: string): Rejection | null {
  if (body.includes('\u0000')) return reject(ErrorCode.BadRequest, 'body must not contain U+0000');
  return null;
}

/**
 * A send is refused, answered with the message already stored (a retry), or
 * accepted (null). A retry is recognised before reply_to and body are checked,
 * so resending what was once accepted always gets the same answer.
 */
export function checkSend(
  send: SendRequest,
  facts: SendFacts,
): Rejection | { status: 'duplicate'; message: Message } | null {
  const notMember = checkMembership(facts.membership);
  if (notMember) return notMember;
  if (facts.duplicate) return { status: 'duplicate', message: facts.duplicate };
  if (send.reply_to !== null && facts.replyToConversationId !== send.conversation_id) {
    return reject(ErrorCode.BadRequest, 'reply_to must be a message of the same conversation');
  }
  if (send.mentions.some((userId) => !facts.memberIds.has(userId))) {
    return reject(ErrorCode.BadRequest, 'mentions must name members of the conversation');
  }
  const attachments = checkAttachments(send, facts.attachments);
  if (attachments) return attachments;
  if (send.body === '' && !send.streaming && (send.attachment_ids ?? []).length === 0) {
    return reject(ErrorCode.BadRequest, 'body must not be empty');
  }
  return checkBody(send.body);
}

/**
 * Section 11: at most MAX_ATTACHMENTS, each named once, each an upload of the
 * sender that no message holds yet. Someone else's upload is refused like an
 * unknown one, so a send cannot probe which ids exist.
 */
function checkAttachments(send: SendRequest, found: readonly AttachmentFacts[]): Rejection | null {
  const ids = send.attachment_ids ?? [];
  if (ids.length > MAX_ATTACHMENTS) {
    return reject(ErrorCode.BadRequest, `at most ${MAX_ATTACHMENTS} attachments`);
  }
  if (new Set(ids).size !== ids.length) return reject(ErrorCode.BadRequest, 'an attachment is named twice');
  const byId = new Map(found.map((attachment) => [attachment.id, attachment]));
  for (const id of ids) {
    const attachment = byId.get(id);
    if (!attachment || attachment.uploader_id !== send.sender_id) {
      return reject(ErrorCode.BadRequest, 'attachment_ids must name your own uploads');
    }
    if (attachment.message_id !== null) {
      return reject(ErrorCode.BadRequest, 'an attachment is already in a message');
    }
  }
  return null;
}

/** System messages record changes to the conversation: nobody edits, unsends or reacts to them. */
function checkNotSystem(facts: MessageFacts): Rejection | null {
  if (facts.kind === 'system') return reject(ErrorCode.BadRequest, 'a system message cannot be changed');
  return null;
}

export function checkEdit(
  facts: MessageFacts | null,
  userId: string,
  now: Date,
  body: string,
): Rejection | null {
  if (!facts || !facts.actor_is_member) return messageNotFound();
  const system = checkNotSystem(facts);
  if (system) return system;
  if (facts.sender_id !== userId) return reject(ErrorCode.Forbidden, 'only the sender can edit a message');
  if (facts.deleted_at) return reject(ErrorCode.Conflict, 'the message was unsent');
  if (now.getTime() - Date.parse(facts.created_at) > EDIT_WINDOW_MS) {
    return reject(ErrorCode.Conflict, 'messages can be edited for 15 minutes');
  }
  if (facts.edit_count >= MAX_EDITS) {
    return reject(ErrorCode.Conflict, `a message can be edited at most ${MAX_EDITS} times`);
  }
  return checkBody(body);
}

export function checkDelete(facts: MessageFacts | null, userId: string, now: Date): Rejection | null {
  if (!facts || !facts.actor_is_member) return messageNotFound();
  const system = checkNotSystem(facts);
  if (system) return system;
  if (facts.sender_id !== userId) return reject(ErrorCode.Forbidden, 'only the sender can unsend a message');
  if (facts.deleted_at) return reject(ErrorCode.Conflict, 'the message was already unsent');
  if (now.getTime() - Date.parse(facts.created_at) > DELETE_WINDOW_MS) {
    return reject(ErrorCode.Conflict, 'messages can be unsent for 2 minutes');
  }
  return null;
}

export function checkReact(facts: MessageFacts | null): Rejection | null {
  if (!facts || !facts.actor_is_member) return messageNotFound();
  const system = checkNotSystem(facts);
  if (system) return system;
  if (facts.deleted_at) return reject(ErrorCode.Conflict, 'the message was unsent');
  return null;
}
