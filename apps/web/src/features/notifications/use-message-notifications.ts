import { useEffect, useRef } from 'react';
import type { ChatClient } from '@chat/client';
import type { Conversation, Message } from '@chat/protocol';
import { conversationTitle } from '../../lib/conversation-title';
import { isMuted } from '../../lib/mute';
import { notificationPermission, notificationsOn } from './notification-prefs';
import type { NotificationPrefs } from './notification-prefs';
import { playTone, showNotification } from './notify';

/** What a notification says of a message: title = the conversation, body = (sender and) text. */
export function notificationText(
  conversation: Conversation,
  message: Pick<Message, 'sender_id' | 'body' | 'attachments' | 'state'>,
  myUserId: string,
): { title: string; body: string } {
  const title = conversationTitle(conversation, myUserId);
  const text =
    message.body.trim() !== ''
      ? message.body
      : message.state === 'streaming'
        ? // An agent's answer begins empty (section 14): say it is coming.
          'Writing…'
        : message.attachments.length > 0
          ? message.attachments.every((a) => a.mime_type.startsWith('image/'))
            ? 'Photo'
            : 'Attachment'
          : '';
  const sender = conversation.members.find((m) => m.user_id === message.sender_id)?.display_name;
  const body = conversation.is_group && sender ? `${sender}: ${text}` : text;
  return {
    title,
    body: Array.from(body).length > 200 ? `${Array.from(body).slice(0, 199).join('')}…` : body,
  };
}

/** Whether a message from someone else should make itself heard (not muted, unless it mentions me). */
export function shouldNotify(
  conversation: Conversation,
  message: Pick<Message, 'mentions'>,
  myUserId: string,
  now: number,
) {
  return !isMuted(conversation, now) || message.mentions.includes(myUserId);
}

/**
 * While the page is open but hidden, a new message from someone else shows a desktop
 * notification (when permitted and not turned off here) and plays the tone (when chosen).
 */
export function useMessageNotifications(
  client: ChatClient,
  myUserId: string,
  conversations: readonly Conversation[],
  prefs: NotificationPrefs,
): void {
  const latest = useRef({ conversations, prefs });
  useEffect(() => {
    latest.current = { conversations, prefs };
  }, [conversations, prefs]);

  useEffect(
    () =>
      client.on('message', (message) => {
        if (document.visibilityState !== 'hidden') return;
        const { conversations: list, prefs: choices } = latest.current;
        const conversation = list.find((c) => c.id === message.conversation_id);
        if (!conversation || !shouldNotify(conversation, message, myUserId, Date.now())) return;
        if (choices.sound) playTone();
        if (!notificationsOn(choices, notificationPermission())) return;
        const { title, body } = notificationText(conversation, message, myUserId);
        showNotification({ conversationId: conversation.id, messageId: message.id, title, body }).catch(
          (error: unknown) => console.warn('chat: the notification could not be shown', error),
        );
      }),
    [client, myUserId],
  );
}
