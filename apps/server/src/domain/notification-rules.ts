import type { Message } from '@chat/protocol';

/**
 * Section 13: who is sent a Web Push for a stored message, and what it says.
 * Pure: the caller reads the members, their mutes and who has a page in view.
 */

/** The longest push body, in code points (the cut included). */
export const PUSH_BODY_MAX = 200;
const CUT = '…';

export interface PushMember {
  user_id: string;
  display_name: string;
  /** ISO time, or null; a time in the future mutes the conversation. */
  muted_until: string | null;
  /** Whether the user has a push subscription at all. */
  subscribed: boolean;
}

/** What a push carries (JSON, encrypted to each subscription). */
export interface PushPayload {
  conversation_id: string;
  message_id: string;
  title: string;
  body: string;
}

/**
 * The members a push may go to before visibility is known: only for a `text`
 * message, never its sender, only those with a subscription, and not those who
 * muted the conversation unless the message mentions them. (Without the
 * subscription test every message of the bench's users, who have none, went on
 * to a visibility lookup, a payload and a read of their subscriptions; issue 13.)
 */
export function pushCandidates(message: Message, members: readonly PushMember[], now: Date): string[] {
  if (message.kind !== 'text' || message.deleted_at !== null) return [];
  const mentioned = new Set(message.mentions);
  return members
    .filter((member) => member.subscribed && member.user_id !== message.sender_id)
    .filter((member) => mentioned.has(member.user_id) || !isMuted(member.muted_until, now))
    .map((member) => member.user_id);
}

/** Muted while `muted_until` is after `now`. */
export function isMuted(mutedUntil: string | null, now: Date): boolean {
  return mutedUntil !== null && Date.parse(mutedUntil) > now.getTime();
}

/** Of the candidates, those with no page in view on any connection. */
export function pushRecipients(candidates: readonly string[], visibleUserIds: ReadonlySet<string>): string[] {
  return candidates.filter((userId) => !visibleUserIds.has(userId));
}

/**
 * The payload: `title` is the conversation's title, or the sender's name when
 * it has none (a 1:1, an untitled group); under a conversation's title the
 * body starts with the sender's name ("Ada: ...") so the sender is always
 * named. The body is the message cut to 200 code points with "…", or
 * "Attachment" for an empty body with attachments. Without previews, neither
 * the text nor the sender appears: "New message" and an empty body.
 */
export function pushPayload(input: {
  message: Message;
  conversationTitle: string | null;
  senderName: string;
  previews: boolean;
}): PushPayload {
  const { message } = input;
  const ids = { conversation_id: message.conversation_id, message_id: message.id };
  if (!input.previews) return { ...ids, title: 'New message', body: '' };
  const text = message.body === '' && message.attachments.length > 0 ? 'Attachment' : message.body;
  const titled = input.conversationTitle !== null && input.conversationTitle !== '';
  const title = titled ? (input.conversationTitle as string) : input.senderName;
  return {
    ...ids,
    title,
    body: cutToCodePoints(titled ? `${input.senderName}: ${text}` : text, PUSH_BODY_MAX),
  };
}

/** At most `max` code points: longer text keeps `max - 1` and ends with "…". */
export function cutToCodePoints(text: string, max: number): string {
  const points = Array.from(text);
  if (points.length <= max) return text;
  return points.slice(0, max - 1).join('') + CUT;
}
