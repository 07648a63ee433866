import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { isAuthRetryableFetchError } from '@supabase/supabase-js';
import type { Session, SupabaseClient } from '@supabase/supabase-js';
import type { TokenGetter } from '@chat/client';
import { describeAuthError } from './auth-errors';
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
}

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

  useEffect(() => {
    let active = true;
    supabase.auth
      .getSession()
      .then(({ data, error }) => {
        if (!active) return;
        if (data.session) setSession(data.session);
        else if (isAuthRetryableFetchError(error)) setSession(readStoredSession(storageKey));
        else setSession(null);
      })
      .catch(() => {
        if (active) setSession(readStoredSession(storageKey));
      });
    const { data } = supabase.auth.onAuthStateChange((event, next) => {
      // The first answer is the getSession() above, which tells "offline" from "signed out".
      if (!active || event === 'INITIAL_SESSION') return;
      if (next) setSession(next);
      else if (event === 'SIGNED_OUT') setSession(null);
    });
    return () => {
      active = false;
      data.subscription.unsubscribe();
    };
  }, [supabase, storageKey]);

  // Stable for the app's life: the chat client keeps it and asks it before every (re)authenticate.
  const getToken = useCallback<TokenGetter>(async () => {
    const { data, error } = await supabase.auth.getSession();
    if (data.session) return data.session.access_token;
    // Not signed out, only unable to refresh now: the client retries later (null would end it).
    if (isAuthRetryableFetchError(error))
      throw new Error('cannot refresh the session: the server is unreachable');
    return null;
  }, [supabase]);

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
    }),
    [supabase, session, getToken],
  );

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (value === null) throw new Error('useAuth outside <AuthProvider>');
  return value;
}
