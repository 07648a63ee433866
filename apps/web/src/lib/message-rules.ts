import { DELETE_WINDOW_MS, EDIT_WINDOW_MS } from '@chat/protocol';
import type { Message } from '@chat/protocol';

function ownLiveMessage(message: Message, myUserId: string): boolean {
  return message.sender_id === myUserId && message.deleted_at === null;
}

function age(message: Message, now: number): number {
  return now - new Date(message.created_at).getTime();
}

/** The sender may edit within 15 minutes (the server also caps the number of edits). */
export function canEdit(message: Message, myUserId: string, now: number): boolean {
  return ownLiveMessage(message, myUserId) && age(message, now) < EDIT_WINDOW_MS;
}

/** The sender may unsend within 2 minutes. */
export function canUnsend(message: Message, myUserId: string, now: number): boolean {
  return ownLiveMessage(message, myUserId) && age(message, now) < DELETE_WINDOW_MS;
}
