import { ErrorCode, type MessageState } from '@chat/protocol';
import { checkBody, messageNotFound } from './message-rules';
import { reject, type Rejection } from './rejection';

/**
 * Section 14: who may stream into, end, and ask to stop a streaming message.
 * Existence and membership first (a non-member learns nothing: `not_found`),
 * then authorization (`forbidden`), then state (`conflict`), as for edits.
 */
export interface StreamFacts {
  conversation_id: string;
  sender_id: string;
  state: MessageState;
  deleted_at: string | null;
  /** Whether the acting user is a member of the message's conversation. */
  actor_is_member: boolean;
}

/**
 * `stream_message` and `end_stream`: the sender only, while the message
 * streams, with a body storage can hold (no U+0000: a relayed text may become
 * the stored one when the server ends the stream).
 */
export function checkStreamWrite(facts: StreamFacts | null, userId: string, body: string): Rejection | null {
  if (!facts || !facts.actor_is_member) return messageNotFound();
  if (facts.sender_id !== userId) return reject(ErrorCode.Forbidden, 'only the sender can stream a message');
  return checkStreaming(facts) ?? checkBody(body);
}

/** `stop_stream`: any member, while the message streams. */
export function checkStreamStop(facts: StreamFacts | null): Rejection | null {
  if (!facts || !facts.actor_is_member) return messageNotFound();
  return checkStreaming(facts);
}

function checkStreaming(facts: StreamFacts): Rejection | null {
  if (facts.deleted_at !== null) return reject(ErrorCode.Conflict, 'the message was unsent');
  if (facts.state !== 'streaming') return reject(ErrorCode.Conflict, 'the message is not streaming');
  return null;
}
