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
  const text = message.body.replace(/\s+/gu, ' ').trim();
  // A streamed answer stored before its first words (section 14): the list says it is coming.
  if (text === '' && message.state === 'streaming') return 'Writing…';
  if (text !== '' || message.attachments.length === 0) return text;
  const photos = message.attachments.filter((item) => item.width !== null).length;
  if (photos === message.attachments.length) return photos === 1 ? 'Photo' : `${photos} photos`;
  return message.attachments.length === 1
    ? `Attachment: ${message.attachments[0]?.name ?? ''}`
    : `${message.attachments.length} attachments`;
}

/** "You unsent a message" / "NAME unsent a message", as shown in the chat. */
export function unsentNotice(mine: boolean, senderName: string): string {
  return mine ? 'You unsent a message' : `${senderName} unsent a message`;
}
