import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { isAuthRetryableFetchError } from '@supabase/supabase-js';
import type { Session, SupabaseClient } from '@supabase/supabase-js';
import type { TokenGetter } from '@chat/client';
import { describeAuthError } from './auth-errors';
import { openedWith } from './auth-redirect';
import { NewPasswordScreen } from './new-password-screen';
import { readStoredSession } from './stored-session';

export interface SignedInUser {
  id: string;
  email: string;
  display_name: string;
}

export interface AuthValue {
  /** Undefined while the stored session is being read. */
  session: Session | null | undefined;
  user: SignedInUser | null;
  /** The CURRENT session's access token (supabase-js refreshes it when near expiry). */
  getToken: TokenGetter;
  signIn: (email: string, password: string) => Promise<void>;
  signUp: (email: string, password: string, displayName: string) => Promise<void>;
  signOut: () => Promise<void>;
  /** Asks for a recovery e-mail; answered alike whether or not the address has an account. */
  requestPasswordReset: (email: string) => Promise<void>;
  /** The name people see; the server normalises it, and the session follows (USER_UPDATED). */
  updateDisplayName: (displayName: string) => Promise<void>;
  /** A new password for the signed-in account; the server then ends every other session. */
  updatePassword: (password: string) => Promise<void>;
  /** Ends every session of this account except this one. */
  signOutOtherDevices: () => Promise<void>;
  /** Why the link this page was opened from did not work (an expired recovery link), if it did not. */
  redirectError: string | null;
}

/**
 * How often, at most, the session is checked with the server while tokens are being handed out.
 * A session signed out elsewhere ("Sign out of other devices", a password change) keeps working
 * here until someone asks: its access token is refused, but supabase-js learns of it only from
 * `GET /user` (session_not_found), which drops the stored session and emits SIGNED_OUT.
 */
const SESSION_CHECK_INTERVAL_MS = 3000;

/** Whether a recovery link's "Choose a new password" comes before the app. */
type Recovery = 'none' | 'waiting' | 'choosing';

const AuthContext = createContext<AuthValue | null>(null);

function userOf(session: Session | null | undefined): SignedInUser | null {
  if (!session) return null;
  const { user } = session;
  const metadata = (user.user_metadata ?? {}) as Record<string, unknown>;
  const email = user.email ?? '';
  const named = [metadata.display_name, metadata.full_name, metadata.name].find(
    (value): value is string => typeof value === 'string' && value.trim() !== '',
  );
  return { id: user.id, email, display_name: named ?? email.split('@')[0] ?? email };
}

interface AuthProviderProps {
  supabase: SupabaseClient;
  /** The localStorage key supabase-js keeps the session under (`sessionStorageKey`). */
  storageKey: string;
  children: ReactNode;
}

/**
 * Session state from supabase-js (persisted, auto-refreshed) and the auth actions, for the whole app.
 *
 * Offline, nobody is signed out. The session supabase-js stored is shown at once, before
 * `getSession()` answers: that answer can take half a minute when the access token has expired
 * and the network or the server is down (supabase-js retries the refresh), and then comes back
 * empty although supabase-js keeps the session to refresh it later. So an answer without a
 * session counts only when it is not a network failure; meanwhile `getToken` throws, which the
 * chat client retries (a null token would end it as signed out).
 */
export function AuthProvider({ supabase, storageKey, children }: AuthProviderProps) {
  const [session, setSession] = useState<Session | null | undefined>(
    () => readStoredSession(storageKey) ?? undefined,
  );
  // Opened from a recovery link: nothing else shows until supabase-js has read the new session,
  // or the app would show (and could change the password of) a session stored before it.
  const [recovery, setRecovery] = useState<Recovery>(openedWith.recovery ? 'waiting' : 'none');
  const checks = useRef<{ last: number; trailing: ReturnType<typeof setTimeout> | null }>({
    last: 0,
    trailing: null,
  });

  /** Asks the server whether the session still stands; supabase-js signs out when it does not. */
  const checkSession = useCallback(() => {
    const state = checks.current;
    if (state.trailing !== null) return;
    const wait = state.last + SESSION_CHECK_INTERVAL_MS - Date.now();
    const run = () => {
      state.trailing = null;
      state.last = Date.now();
      // Offline or a server error says nothing about the session: only session_not_found counts.
      supabase.auth.getUser().catch(() => undefined);
    };
    // At most one check per interval, and one more at its end for what came in between, so a
    // reconnect right after a check still gets its answer.
    if (wait <= 0) run();
    else state.trailing = setTimeout(run, wait);
  }, [supabase]);

  useEffect(() => {
    const state = checks.current;
    return () => {
      if (state.trailing !== null) clearTimeout(state.trailing);
      state.trailing = null;
    };
  }, []);

  useEffect(() => {
    let active = true;
    supabase.auth
      .getSession()
      .then(({ data, error }) => {
        if (!active) return;
        if (data.session) setSession(data.session);
        else if (isAuthRetryableFetchError(error)) setSession(readStoredSession(storageKey));
        else setSession(null);
        // The session from a recovery link is in by now (supabase-js reads the URL first).
        setRecovery((current) => (current === 'waiting' ? (data.session ? 'choosing' : 'none') : current));
        if (data.session) checkSession();
      })
      .catch(() => {
        if (!active) return;
        setSession(readStoredSession(storageKey));
        setRecovery((current) => (current === 'waiting' ? 'none' : current));
      });
    const { data } = supabase.auth.onAuthStateChange((event, next) => {
      // The first answer is the getSession() above, which tells "offline" from "signed out".
      if (!active || event === 'INITIAL_SESSION') return;
      if (event === 'PASSWORD_RECOVERY') setRecovery('choosing');
      if (next) setSession(next);
      else if (event === 'SIGNED_OUT') {
        setSession(null);
        setRecovery('none');
      }
    });
    return () => {
      active = false;
      data.subscription.unsubscribe();
    };
  }, [supabase, storageKey, checkSession]);

  // Stable for the app's life: the chat client keeps it and asks it before every (re)authenticate.
  const getToken = useCallback<TokenGetter>(async () => {
    const { data, error } = await supabase.auth.getSession();
    if (data.session) {
      checkSession();
      return data.session.access_token;
    }
    // Not signed out, only unable to refresh now: the client retries later (null would end it).
    if (isAuthRetryableFetchError(error))
      throw new Error('cannot refresh the session: the server is unreachable');
    return null;
  }, [supabase, checkSession]);

  const value = useMemo<AuthValue>(
    () => ({
      session,
      user: userOf(session),
      getToken,
      signIn: async (email, password) => {
        const { error } = await supabase.auth.signInWithPassword({ email, password });
        if (error) throw new Error(describeAuthError(error));
      },
      signUp: async (email, password, displayName) => {
        const { data, error } = await supabase.auth.signUp({
          email,
          password,
          // Without a display name the server derives one from the e-mail address.
          ...(displayName ? { options: { data: { display_name: displayName } } } : {}),
        });
        if (error) throw new Error(describeAuthError(error));
        if (!data.session) {
          throw new Error('Account created. Confirm your e-mail address, then sign in.');
        }
      },
      signOut: async () => {
        const { error } = await supabase.auth.signOut();
        // A failed server-side logout still ends the session here.
        if (error) await supabase.auth.signOut({ scope: 'local' });
      },
      requestPasswordReset: async (email) => {
        // Back to this app, where supabase-js reads the new session and fires PASSWORD_RECOVERY.
        const { error } = await supabase.auth.resetPasswordForEmail(email, {
          redirectTo: `${window.location.origin}/`,
        });
        if (error) throw new Error(describeAuthError(error));
      },
      updateDisplayName: async (displayName) => {
        const { error } = await supabase.auth.updateUser({ data: { display_name: displayName } });
        if (error) throw new Error(describeAuthError(error));
      },
      updatePassword: async (password) => {
        const { error } = await supabase.auth.updateUser({ password });
        if (error) throw new Error(describeAuthError(error));
      },
      signOutOtherDevices: async () => {
        const { error } = await supabase.auth.signOut({ scope: 'others' });
        if (error) throw new Error(describeAuthError(error));
      },
      redirectError: openedWith.error,
    }),
    [supabase, session, getToken],
  );

  let content = children;
  if (recovery === 'waiting') content = <div className="full-screen-message" aria-busy="true" />;
  else if (recovery === 'choosing' && session) {
    content = <NewPasswordScreen onDone={() => setRecovery('none')} />;
  }
  return <AuthContext.Provider value={value}>{content}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (value === null) throw new Error('useAuth outside <AuthProvider>');
  return value;
}
