import type { Message } from '@chat/protocol';

type Reactions = Message['reactions'];

/**
 * One reaction per user per message: `reaction` replaces the user's current one,
 * `null` removes it. Returns the new map, or null when nothing would change (the
 * same reaction again, or removing none). A reaction nobody holds any more is
 * dropped; a user who changes their reaction goes to the end of the new list.
 */
export function applyReaction(current: Reactions, userId: string, reaction: string | null): Reactions | null {
  const held = Object.keys(current).find((key) => current[key]?.includes(userId)) ?? null;
  if (held === reaction) return null;
  const next: Reactions = {};
  for (const [key, users] of Object.entries(current)) {
    const kept = key === held ? users.filter((id) => id !== userId) : users;
    if (kept.length > 0) next[key] = kept;
  }
  if (reaction !== null) next[reaction] = [...(next[reaction] ?? []), userId];
  return next;
}
