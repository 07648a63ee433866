/**
 * Small per-user things kept in localStorage so they survive a reload, even one without network:
 * composer drafts and the last conversation list. Storage can be full, disabled or blocked (private
 * modes): every call here fails quietly, and the app then simply does without.
 */

const DRAFT = 'chat-draft:';
const CONVERSATIONS = 'chat-conversations:';

export function draftKey(userId: string, conversationId: string): string {
  return `${DRAFT}${userId}:${conversationId}`;
}

export function conversationsKey(userId: string): string {
  return `${CONVERSATIONS}${userId}`;
}

export function readItem(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

/** Stores `value`; an empty string removes the item. */
export function writeItem(key: string, value: string): void {
  try {
    if (value === '') localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Full or unavailable: the value lives in memory only.
  }
}

/** Forgets what this user left on this device (at sign-out): drafts and the cached list. */
export function forgetUser(userId: string): void {
  try {
    const prefixes = [`${DRAFT}${userId}:`, conversationsKey(userId)];
    const keys: string[] = [];
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (key !== null && prefixes.some((prefix) => key.startsWith(prefix))) keys.push(key);
    }
    for (const key of keys) localStorage.removeItem(key);
  } catch {
    // Nothing stored, or nothing we may touch.
  }
}
