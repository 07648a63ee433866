import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { createClient } from '@supabase/supabase-js';
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuthProvider, useAuth } from '../src/auth/auth-context';
import type { AuthValue } from '../src/auth/auth-context';
import { describeAuthError } from '../src/auth/auth-errors';
import {
  carriesSession,
  isRecoveryRedirect,
  redirectErrorOf,
  takeAuthRedirect,
} from '../src/auth/auth-redirect';
import { AuthScreen } from '../src/auth/auth-screen';
import { ProfileDialog } from '../src/features/profile/profile-dialog';
import { ServerProcess } from '../../../packages/client/test/support/server-process';

/*
 * Issue 11 in the web app: recovery links read from the URL fragment, the policy's refusals in
 * words, and the profile screen and "Forgot password?" on the real supabase-js against a REAL
 * server's embedded auth (in a process of its own; the page's origin is the server's).
 */

const WAIT = { timeout: 15_000 };
const PASSWORD = 'correct horse battery staple';

let server: ServerProcess;
let counter = 0;

beforeAll(async () => {
  server = await ServerProcess.start();
  (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(`${server.url}/`);
});
afterEach(() => {
  cleanup();
  localStorage.clear();
});
afterAll(async () => {
  await server.dispose();
});

/** A supabase-js client as the app makes it, with a storage key of its own (one per "device"). */
function device(): { supabase: SupabaseClient; storageKey: string } {
  counter += 1;
  const storageKey = `sb-test-${counter}-auth-token`;
  const supabase = createClient(server.url, 'embedded-anon-key', {
    auth: { persistSession: true, autoRefreshToken: false, detectSessionInUrl: false, storageKey },
  });
  return { supabase, storageKey };
}

async function signedUpDevice(name: string) {
  const made = device();
  const email = `${name.toLowerCase().replace(/\W+/gu, '.')}.${Date.now().toString(36)}${counter}@example.com`;
  const { error } = await made.supabase.auth.signUp({
    email,
    password: PASSWORD,
    options: { data: { display_name: name } },
  });
  if (error) throw error;
  return { ...made, email };
}

/** Renders `children` in the app's AuthProvider and hands out what useAuth() sees. */
function renderWithAuth(supabase: SupabaseClient, storageKey: string, children: React.ReactNode = null) {
  const seen: { current: AuthValue | null } = { current: null };
  function Probe() {
    seen.current = useAuth();
    return null;
  }
  render(
    <AuthProvider supabase={supabase} storageKey={storageKey}>
      <Probe />
      {children}
    </AuthProvider>,
  );
  return seen;
}

describe('recovery links', () => {
  it('a fragment with a session is a callback for supabase-js; hash routes and errors are not', () => {
    const url = new URL('https://chat.example/');
    expect(carriesSession(url, { access_token: 'a', refresh_token: 'r', type: 'recovery' })).toBe(true);
    expect(carriesSession(url, { '/3f1c': '' })).toBe(false);
    expect(carriesSession(url, { error: 'access_denied', error_code: 'otp_expired' })).toBe(false);
    expect(isRecoveryRedirect('#access_token=a&refresh_token=r&type=recovery')).toBe(true);
    expect(isRecoveryRedirect('#access_token=a&refresh_token=r&type=signup')).toBe(false);
    expect(isRecoveryRedirect('#/3f1c')).toBe(false);
  });

  it('a spent or expired link is explained, and its fragment leaves the address bar', () => {
    const hash = '#error=access_denied&error_code=otp_expired&error_description=Email+link+is+invalid';
    expect(redirectErrorOf(hash)).toMatch(/expired or was already used/u);
    expect(redirectErrorOf('#/3f1c')).toBeNull();
    const replaced: string[] = [];
    const history = {
      state: null,
      replaceState: (_: unknown, __: string, url?: string | URL | null) => void replaced.push(String(url)),
    };
    const taken = takeAuthRedirect({ hash, pathname: '/', search: '' }, history);
    expect(taken).toEqual({ recovery: false, error: expect.stringMatching(/expired/u) });
    expect(replaced).toEqual(['/']);
    expect(takeAuthRedirect({ hash: '#/3f1c', pathname: '/', search: '' }, history).error).toBeNull();
    expect(replaced).toHaveLength(1);
  });
});

describe('refusals in words', () => {
  it('names each reason of the password policy, with the configured length', () => {
    const weak = (reasons: string[], message: string) =>
      Object.assign(new Error(message), { code: 'weak_password', status: 422, reasons });
    expect(describeAuthError(weak(['length'], 'Password should be at least 12 characters.'))).toBe(
      'Use at least 12 characters. Choose another password.',
    );
    expect(describeAuthError(weak(['pwned'], 'Password is known to be weak'))).toMatch(/too common/u);
    expect(
      describeAuthError({ code: 'same_password', status: 422, message: 'New password should be different' }),
    ).toBe('That is your current password. Choose a different one.');
    expect(describeAuthError({ code: 'over_email_send_rate_limit', status: 429, message: '' })).toMatch(
      /Wait a minute/u,
    );
  });
});

describe('profile screen (real server)', () => {
  it('saves the display name: the session and the server both carry it', async () => {
    const ada = await signedUpDevice('Ada Lovelace');
    const auth = renderWithAuth(ada.supabase, ada.storageKey, <ProfileDialog onClose={() => undefined} />);
    const field = await screen.findByRole('textbox', { name: 'Display name' }, WAIT);
    expect(field).toHaveProperty('value', 'Ada Lovelace');
    fireEvent.change(field, { target: { value: 'Ada King' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save name' }));
    await screen.findByText(/Name saved/u, undefined, WAIT);
    await waitFor(() => expect(auth.current?.user?.display_name).toBe('Ada King'), WAIT);
    const { data } = await ada.supabase.auth.getUser();
    expect(data.user?.user_metadata.display_name).toBe('Ada King');
  });

  it('explains a refused password, then changes it', async () => {
    const grace = await signedUpDevice('Grace Hopper');
    renderWithAuth(grace.supabase, grace.storageKey, <ProfileDialog onClose={() => undefined} />);
    const password = await screen.findByLabelText('New password', undefined, WAIT);
    const again = screen.getByLabelText('Confirm new password');
    const attempt = async (value: string, why: RegExp) => {
      fireEvent.change(password, { target: { value } });
      fireEvent.change(again, { target: { value } });
      fireEvent.click(screen.getByRole('button', { name: 'Change password' }));
      await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(why), WAIT);
    };
    await attempt('short', /at least 8 characters/u);
    await attempt('password', /too common/u);
    await attempt(PASSWORD, /your current password/u);
    fireEvent.change(password, { target: { value: 'cobol flow-matic' } });
    fireEvent.change(again, { target: { value: 'cobol flow-matic' } });
    fireEvent.click(screen.getByRole('button', { name: 'Change password' }));
    await screen.findByText(/Password changed/u, undefined, WAIT);
    expect(screen.queryByRole('alert')).toBeNull();
    const other = device();
    const { error } = await other.supabase.auth.signInWithPassword({
      email: grace.email,
      password: 'cobol flow-matic',
    });
    expect(error).toBeNull();
  });

  it('"Sign out of other devices" ends the other session, which then signs itself out when it next asks for a token', async () => {
    const phone = await signedUpDevice('Alan Turing');
    const laptop = device();
    const { error } = await laptop.supabase.auth.signInWithPassword({
      email: phone.email,
      password: PASSWORD,
    });
    expect(error).toBeNull();
    const onLaptop = renderWithAuth(laptop.supabase, laptop.storageKey);
    await waitFor(() => expect(onLaptop.current?.user).not.toBeNull(), WAIT);
    cleanup();

    renderWithAuth(phone.supabase, phone.storageKey, <ProfileDialog onClose={() => undefined} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Sign out of other devices' }, WAIT));
    await screen.findByText('Your other devices are signed out.', undefined, WAIT);
    expect((await phone.supabase.auth.getUser()).error).toBeNull();
    cleanup();

    // The laptop still holds its (unexpired) token; asking for it checks the session.
    const laptopAgain = renderWithAuth(laptop.supabase, laptop.storageKey);
    await waitFor(() => expect(laptopAgain.current?.session).toBeNull(), WAIT);
    await act(async () => {
      expect(await laptopAgain.current?.getToken()).toBeNull();
    });
  });
});

describe('"Forgot password?" (real server)', () => {
  it('asks for the address (carried over from sign-in), then says to check the e-mail', async () => {
    const { supabase, storageKey } = device();
    renderWithAuth(supabase, storageKey, <AuthScreen />);
    fireEvent.change(await screen.findByLabelText('Email', undefined, WAIT), {
      target: { value: 'nobody@example.com' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Forgot password?' }));
    const email = await screen.findByLabelText('Email');
    expect(email).toHaveProperty('value', 'nobody@example.com');
    fireEvent.click(screen.getByRole('button', { name: 'Send link' }));
    // An unknown address is answered like a known one.
    await screen.findByRole('heading', { name: 'Check your e-mail' }, WAIT);
    expect(screen.getByRole('status').textContent).toContain('nobody@example.com');
    fireEvent.click(screen.getByRole('button', { name: 'Back to sign in' }));
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeTruthy();
    expect(screen.getByLabelText('Email')).toHaveProperty('value', 'nobody@example.com');
  });
});
