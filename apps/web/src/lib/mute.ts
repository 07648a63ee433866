import type { Conversation } from '@chat/protocol';

/** Whether the user has muted the conversation at `now` (`muted_until` in the future). */
export function isMuted(conversation: Pick<Conversation, 'settings'>, now: Date | number): boolean {
  const until = conversation.settings.muted_until;
  return until !== null && Date.parse(until) > (typeof now === 'number' ? now : now.getTime());
}

/** "Always" is a date far enough away to outlive everyone reading it. */
export const MUTE_ALWAYS = '9999-12-31T00:00:00.000Z';

export const MUTE_CHOICES = [
  { label: 'Mute for 1 hour', ms: 60 * 60 * 1000 },
  { label: 'Mute for 8 hours', ms: 8 * 60 * 60 * 1000 },
  { label: 'Mute for a week', ms: 7 * 24 * 60 * 60 * 1000 },
  { label: 'Mute always', ms: null },
] as const;

export function muteUntil(ms: number | null, now = Date.now()): string {
  return ms === null ? MUTE_ALWAYS : new Date(now + ms).toISOString();
}
