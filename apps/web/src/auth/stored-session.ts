import type { Session } from '@supabase/supabase-js';

/**
 * Where supabase-js keeps the session in localStorage: its own default key, spelled out so the
 * app can read the session itself when supabase-js cannot hand it over (see `readStoredSession`).
 */
export function sessionStorageKey(supabaseUrl: string): string {
  return `sb-${new URL(supabaseUrl).hostname.split('.')[0]}-auth-token`;
}

/**
 * The session supabase-js stored, as it stored it. Used only when `getSession()` gives none
 * because refreshing an expired access token failed for lack of network (supabase-js keeps the
 * session then, and refreshes it later): the person is still signed in, just offline.
 */
export function readStoredSession(
  key: string,
  storage: Pick<Storage, 'getItem'> = localStorage,
): Session | null {
  let value: unknown;
  try {
    value = JSON.parse(storage.getItem(key) ?? 'null');
  } catch {
    return null;
  }
  const session = value as Partial<Session> | null;
  if (
    !session ||
    typeof session.access_token !== 'string' ||
    typeof session.refresh_token !== 'string' ||
    typeof session.user?.id !== 'string'
  ) {
    return null;
  }
  return session as Session;
}
