import { useEffect, useState } from 'react';
import { createClient } from '@supabase/supabase-js';
import type { SupabaseClient } from '@supabase/supabase-js';
import { loadClientConfig, supabaseUrlOf } from './auth/client-config';
import { AuthProvider, useAuth } from './auth/auth-context';
import { AuthScreen } from './auth/auth-screen';
import { carriesSession } from './auth/auth-redirect';
import { sessionStorageKey } from './auth/stored-session';
import { ChatShell } from './features/shell/chat-shell';

type Boot =
  | { state: 'loading' }
  | { state: 'ready'; supabase: SupabaseClient; storageKey: string }
  | { state: 'failed'; error: string };

/** Reads `/api/config`, creates the Supabase client, then shows sign-in or the chat. */
export function App() {
  const [boot, setBoot] = useState<Boot>({ state: 'loading' });

  useEffect(() => {
    let active = true;
    loadClientConfig()
      .then((config) => {
        if (!active) return;
        const url = supabaseUrlOf(config, window.location.origin);
        const storageKey = sessionStorageKey(url);
        const supabase = createClient(url, config.supabase_anon_key, {
          auth: {
            persistSession: true,
            autoRefreshToken: true,
            detectSessionInUrl: carriesSession,
            storageKey,
          },
        });
        setBoot({ state: 'ready', supabase, storageKey });
      })
      .catch((error: unknown) => {
        if (active)
          setBoot({ state: 'failed', error: error instanceof Error ? error.message : String(error) });
      });
    return () => {
      active = false;
    };
  }, []);

  if (boot.state === 'loading') return <div className="full-screen-message" aria-busy="true" />;
  if (boot.state === 'failed') {
    return (
      <main className="full-screen-message">
        <div>
          <h1>Messages is unavailable</h1>
          <p role="alert">{boot.error}</p>
          <button type="button" className="pill-button" onClick={() => window.location.reload()}>
            Reload
          </button>
        </div>
      </main>
    );
  }
  return (
    <AuthProvider supabase={boot.supabase} storageKey={boot.storageKey}>
      <AuthGate />
    </AuthProvider>
  );
}

function AuthGate() {
  const { session, user } = useAuth();
  if (session === undefined) return <div className="full-screen-message" aria-busy="true" />;
  if (!user) return <AuthScreen />;
  // Keyed by user: signing in as someone else starts a fresh chat client.
  return <ChatShell key={user.id} />;
}
