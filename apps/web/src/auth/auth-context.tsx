import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import type { Session, SupabaseClient } from '@supabase/supabase-js';
import type { TokenGetter } from '@chat/client';
import { describeAuthError } from './auth-errors';

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

/** Session state from supabase-js (persisted, auto-refreshed) and the auth actions, for the whole app. */
export function AuthProvider({ supabase, children }: { supabase: SupabaseClient; children: ReactNode }) {
  const [session, setSession] = useState<Session | null | undefined>(undefined);

  useEffect(() => {
    let active = true;
    supabase.auth
      .getSession()
      .then(({ data }) => {
        if (active) setSession(data.session);
      })
      .catch(() => {
        if (active) setSession(null);
      });
    const { data } = supabase.auth.onAuthStateChange((_event, next) => {
      if (active) setSession(next);
    });
    return () => {
      active = false;
      data.subscription.unsubscribe();
    };
  }, [supabase]);

  // Stable for the app's life: the chat client keeps it and asks it before every (re)authenticate.
  const getToken = useCallback<TokenGetter>(async () => {
    const { data } = await supabase.auth.getSession();
    return data.session?.access_token ?? null;
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
