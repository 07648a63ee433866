import type { ConversationMember } from '@chat/protocol';

interface TitledConversation {
  title: string | null;
  is_group: boolean;
  members: readonly Pick<ConversationMember, 'user_id' | 'display_name'>[];
}

export function firstName(displayName: string): string {
  const trimmed = displayName.trim();
  return trimmed.split(/\s+/u)[0] ?? trimmed;
}

/**
 * What a conversation is called: its title; for a 1:1 the other person's display name;
 * for an untitled group the other members' first names.
 */
export function conversationTitle(conversation: TitledConversation, myUserId: string): string {
  const title = conversation.title?.trim();
  if (title) return title;
  const others = conversation.members.filter((m) => m.user_id !== myUserId);
  if (others.length === 0) return conversation.members[0]?.display_name ?? 'Just you';
  if (!conversation.is_group && others.length === 1) return others[0]?.display_name ?? '';
  const names = others.map((m) => firstName(m.display_name));
  if (names.length <= 3) return names.join(', ');
  return `${names.slice(0, 3).join(', ')} & ${names.length - 3} more`;
}

/** Up to two initials for an avatar. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/u).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words.at(-1)] : [words[0]];
  return letters
    .map((w) => (w ? (Array.from(w)[0] ?? '') : ''))
    .join('')
    .toUpperCase();
}
