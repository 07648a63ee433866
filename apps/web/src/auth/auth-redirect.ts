/**
 * The links in auth e-mails (password recovery) come back to the app with the outcome in the URL
 * fragment, GoTrue's implicit flow: `#access_token=…&refresh_token=…&type=recovery`, or
 * `#error=…&error_code=otp_expired&error_description=…` when the link was spent or expired.
 */

/** The fragment's parameters (the app's own `#/conversation` routes have none of these). */
export function fragmentParams(hash: string): URLSearchParams {
  return new URLSearchParams(hash.replace(/^#/u, ''));
}

/**
 * supabase-js's `detectSessionInUrl`: only a fragment that carries a session. The app's hash
 * routes never do, and an error fragment is the app's to explain (supabase-js would keep it
 * silently in the address bar).
 */
export function carriesSession(_url: URL, params: Record<string, string>): boolean {
  return typeof params.access_token === 'string' && params.access_token !== '';
}

/** Whether the page was opened from a recovery link that carries a session. */
export function isRecoveryRedirect(hash: string): boolean {
  const params = fragmentParams(hash);
  return params.get('type') === 'recovery' && (params.get('access_token') ?? '') !== '';
}

/** What to tell someone whose link did not work, or null when the fragment is no auth error. */
export function redirectErrorOf(hash: string): string | null {
  const params = fragmentParams(hash);
  const code = params.get('error_code') ?? '';
  const error = params.get('error') ?? '';
  if (!code && !error) return null;
  if (code === 'otp_expired' || error === 'access_denied') {
    return 'That link has expired or was already used. Ask for a new one with “Forgot password?”.';
  }
  return params.get('error_description') || 'That link did not work. Ask for a new one.';
}

export interface AuthRedirect {
  /** The page was opened from a recovery link: a "Choose a new password" form comes first. */
  recovery: boolean;
  /** Why the link the page was opened from did not work. */
  error: string | null;
}

/**
 * Read once when the app loads, before supabase-js consumes the fragment. An error fragment is
 * removed from the address bar here (no one would want to bookmark or share it); a session
 * fragment is left for supabase-js, which removes it after reading it.
 */
export function takeAuthRedirect(
  location: Pick<Location, 'hash' | 'pathname' | 'search'>,
  history: Pick<History, 'replaceState' | 'state'>,
): AuthRedirect {
  const error = redirectErrorOf(location.hash);
  if (error) history.replaceState(history.state, '', `${location.pathname}${location.search}`);
  return { recovery: isRecoveryRedirect(location.hash), error };
}

/** This page load's redirect, taken at module load: before the client reads the fragment. */
export const openedWith: AuthRedirect =
  typeof window === 'undefined'
    ? { recovery: false, error: null }
    : takeAuthRedirect(window.location, window.history);
