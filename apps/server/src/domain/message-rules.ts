import { DELETE_WINDOW_MS, EDIT_WINDOW_MS, ErrorCode, MAX_EDITS } from '@chat/protocol';
import type { Rejection } from '../storage/storage';

/**
 * The rules of edit, unsend and reaction, in the order PROTOCOL.md section 5 gives
 * (existence and membership, then authorization, then state). Storage
 * implementations call these inside their transaction, so the rules live once.
 */
export interface MessageFacts {
  sender_id: string;
  created_at: string;
  deleted_at: string | null;
  edit_count: number;
  /** Whether the acting user is a member of the message's conversation. */
  actor_is_member: boolean;
}

const reject = (code: ErrorCode, message: string): Rejection => ({ status: 'rejected', code, message });

export const messageNotFound = (): Rejection => reject(ErrorCode.NotFound, 'message not found');

export function checkEdit(facts: MessageFacts | null, userId: string, now: Date): Rejection | null {
  if (!facts || !facts.actor_is_member) return messageNotFound();
  if (facts.sender_id !== userId) return reject(ErrorCode.Forbidden, 'only the sender can edit a message');
  if (facts.deleted_at) return reject(ErrorCode.Conflict, 'the message was unsent');
  if (now.getTime() - Date.parse(facts.created_at) > EDIT_WINDOW_MS) {
    return reject(ErrorCode.Conflict, 'messages can be edited for 15 minutes');
  }
  if (facts.edit_count >= MAX_EDITS) {
    return reject(ErrorCode.Conflict, `a message can be edited at most ${MAX_EDITS} times`);
  }
  return null;
}

export function checkDelete(facts: MessageFacts | null, userId: string, now: Date): Rejection | null {
  if (!facts || !facts.actor_is_member) return messageNotFound();
  if (facts.sender_id !== userId) return reject(ErrorCode.Forbidden, 'only the sender can unsend a message');
  if (facts.deleted_at) return reject(ErrorCode.Conflict, 'the message was already unsent');
  if (now.getTime() - Date.parse(facts.created_at) > DELETE_WINDOW_MS) {
    return reject(ErrorCode.Conflict, 'messages can be unsent for 2 minutes');
  }
  return null;
}

export function checkReact(facts: MessageFacts | null): Rejection | null {
  if (!facts || !facts.actor_is_member) return messageNotFound();
  if (facts.deleted_at) return reject(ErrorCode.Conflict, 'the message was unsent');
  return null;
}

/** 1:1 conversations are unique per pair: this key is stored with a unique index. */
export function directKey(a: string, b: string): string {
  return a < b ? `${a}:${b}` : `${b}:${a}`;
}
