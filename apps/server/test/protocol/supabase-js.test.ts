import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { api } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/test-server';
import { TestSocket } from '../support/test-socket';

/** The real @supabase/supabase-js, unchanged, against the whole server's embedded auth. */
describe('embedded auth with @supabase/supabase-js', () => {
  let harness: TestServer;

  beforeAll(async () => {
    harness = await startTestServer();
  });
  afterAll(() => harness.dispose());

  const supabase = () =>
    createClient(harness.server.url, 'embedded-anon-key', {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      realtime: { transport: WebSocket as never },
    });

  it('auth: supabase-js signs up, signs in and refreshes, and each access token works on /ws and /api/me', async () => {
    const client = supabase();
    const signUp = await client.auth.signUp({
      email: 'Sam@Example.test',
      password: 'correct horse',
      options: { data: { display_name: 'Sam Supa' } },
    });
    expect(signUp.error).toBeNull();
    const signedUp = signUp.data.session;
    expect(signedUp).not.toBeNull();
    const userId = signUp.data.user?.id;

    const signIn = await supabase().auth.signInWithPassword({
      email: 'sam@example.test',
      password: 'correct horse',
    });
    expect(signIn.error).toBeNull();
    const refreshed = await client.auth.refreshSession({ refresh_token: signedUp?.refresh_token ?? '' });
    expect(refreshed.error).toBeNull();

    const tokens = [
      signedUp?.access_token,
      signIn.data.session?.access_token,
      refreshed.data.session?.access_token,
    ];
    for (const token of tokens) {
      expect(typeof token).toBe('string');
      const me = await api(harness.server, token ?? null, 'GET', '/api/me');
      expect(me.status).toBe(200);
      expect(await me.json()).toEqual({
        user: { id: userId, email: 'sam@example.test', display_name: 'Sam Supa' },
      });
      const socket = await TestSocket.open(harness.server.wsUrl);
      expect(await socket.request({ type: 'authenticate', token })).toMatchObject({
        type: 'authenticated',
        user: { id: userId, display_name: 'Sam Supa' },
      });
      socket.close();
    }

    // Rotation: the refresh token that was used is refused afterwards.
    const reuse = await client.auth.refreshSession({ refresh_token: signedUp?.refresh_token ?? '' });
    expect(reuse.error).not.toBeNull();
  });

  it('auth: a wrong password is refused by supabase-js with invalid_credentials', async () => {
    const client = supabase();
    await client.auth.signUp({ email: 'wrong@example.test', password: 'right-password' });
    const { error } = await supabase().auth.signInWithPassword({
      email: 'wrong@example.test',
      password: 'not-the-password',
    });
    expect(error?.code).toBe('invalid_credentials');
  });
});
