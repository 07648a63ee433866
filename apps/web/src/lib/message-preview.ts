import type { Message } from '@chat/protocol';

/** The one-line preview of a conversation's last message in the list. */
export function messagePreview(message: Message | null, myUserId: string): string {
  if (message === null) return 'No messages yet';
  if (message.deleted_at !== null) {
    return message.sender_id === myUserId ? 'You unsent a message' : 'Message unsent';
  }
  return message.body.replace(/\s+/gu, ' ').trim();
}

/** "You unsent a message" / "NAME unsent a message", as shown in the chat. */
export function unsentNotice(mine: boolean, senderName: string): string {
  return mine ? 'You unsent a message' : `${senderName} unsent a message`;
}
