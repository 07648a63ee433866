import { TAPBACKS } from '@chat/protocol';
import type { Tapback } from '@chat/protocol';

export const TAPBACK_EMOJI: Record<Tapback, string> = {
  love: '❤️',
  like: '👍',
  dislike: '👎',
  laugh: '😂',
  emphasize: '‼️',
  question: '❓',
};

export const TAPBACK_LABEL: Record<Tapback, string> = {
  love: 'Love',
  like: 'Like',
  dislike: 'Dislike',
  laugh: 'Laugh',
  emphasize: 'Emphasize',
  question: 'Question',
};

export function isTapback(reaction: string): reaction is Tapback {
  return (TAPBACKS as readonly string[]).includes(reaction);
}

/** The emoji drawn for a reaction: a named tapback's symbol, or the emoji itself. */
export function reactionEmoji(reaction: string): string {
  return isTapback(reaction) ? TAPBACK_EMOJI[reaction] : reaction;
}

export function reactionLabel(reaction: string): string {
  return isTapback(reaction) ? TAPBACK_LABEL[reaction] : reaction;
}

export interface ReactionSummary {
  reaction: string;
  emoji: string;
  label: string;
  count: number;
  userIds: readonly string[];
  mine: boolean;
}

/** Reactions to show on a bubble: named tapbacks in their fixed order, then other emoji. */
export function summarizeReactions(
  reactions: Readonly<Record<string, readonly string[]>>,
  myUserId: string,
): ReactionSummary[] {
  const order = (reaction: string) => {
    const index = (TAPBACKS as readonly string[]).indexOf(reaction);
    return index === -1 ? TAPBACKS.length : index;
  };
  return Object.entries(reactions)
    .filter(([, userIds]) => userIds.length > 0)
    .sort(([a], [b]) => order(a) - order(b) || a.localeCompare(b))
    .map(([reaction, userIds]) => ({
      reaction,
      emoji: reactionEmoji(reaction),
      label: reactionLabel(reaction),
      count: userIds.length,
      userIds,
      mine: userIds.includes(myUserId),
    }));
}

/** The reaction this user holds on a message, if any. */
export function myReaction(
  reactions: Readonly<Record<string, readonly string[]>>,
  myUserId: string,
): string | null {
  for (const [reaction, userIds] of Object.entries(reactions)) {
    if (userIds.includes(myUserId)) return reaction;
  }
  return null;
}
