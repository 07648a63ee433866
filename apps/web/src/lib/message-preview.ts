import type { Message } from '@chat/protocol';
import { systemText } from './system-text';

/**
 * The one-line preview of a conversation's last message in the list; a system message as its
 * line ("Ada added Grace"), people named by `nameOf` (which answers "You" for the user).
 */
export function messagePreview(
  message: Message | null,
  myUserId: string,
  nameOf: (userId: string) => string = (id) => (id === myUserId ? 'You' : 'Someone'),
): string {
  if (message === null) return 'No messages yet';
  if (message.kind === 'system') return systemText(message, nameOf);
  if (message.deleted_at !== null) {
    return message.sender_id === myUserId ? 'You unsent a message' : 'Message unsent';
  }
  return message.body.replace(/\s+/gu, ' ').trim();
}

/** "You unsent a message" / "NAME unsent a message", as shown in the chat. */
export function unsentNotice(mine: boolean, senderName: string): string {
  return mine ? 'You unsent a message' : `${senderName} unsent a message`;
}
