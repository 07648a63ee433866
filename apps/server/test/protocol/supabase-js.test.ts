import { createClient, isAuthSessionMissingError, type Session } from '@supabase/supabase-js';
import type { ChatServer } from '../../src/index';
import { ManualClock } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startSmtpServer } from '../auth/smtp-server';
import { api } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/test-server';
import { TestSocket } from '../support/test-socket';

const supabaseFor = (url: string) =>
  createClient(url, 'embedded-anon-key', {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: WebSocket as never },
  });

let counter = 0;
const uniqueEmail = (name: string) => `${name}.${Date.now()}.${counter++}@example.test`;

/** The real @supabase/supabase-js, unchanged, against the whole server's embedded auth. */
describe('embedded auth with @supabase/supabase-js', () => {
  let harness: TestServer;

  beforeAll(async () => {
    harness = await startTestServer();
  });
  afterAll(() => harness.dispose());

  const supabase = () => supabaseFor(harness.server.url);

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
    expect(signUp.data.user?.identities).toMatchObject([
      { provider: 'email', user_id: userId, identity_data: { email: 'sam@example.test', sub: userId } },
    ]);

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
      expect(await me.json()).toMatchObject({
        user: { id: userId, email: 'sam@example.test', display_name: 'Sam Supa' },
      });
      const socket = await TestSocket.open(harness.server.wsUrl);
      expect(await socket.request({ type: 'authenticate', token })).toMatchObject({
        type: 'authenticated',
        user: { id: userId, display_name: 'Sam Supa' },
      });
      socket.close();
    }
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

  it('auth: updateUser changes the display name everywhere the chat shows it, and the password', async () => {
    const email = uniqueEmail('rename');
    const client = supabase();
    const { data } = await client.auth.signUp({
      email,
      password: 'first password',
      options: { data: { display_name: 'Old Name' } },
    });
    const userId = data.user!.id;
    // Seen once before the rename: the process keeps the authenticated user (auth/known-users.ts).
    const before = await api(harness.server, data.session!.access_token, 'GET', '/api/me');
    expect(await before.json()).toMatchObject({ user: { id: userId, display_name: 'Old Name' } });

    const renamed = await client.auth.updateUser({ data: { display_name: '  New\u202E Name\u200B ' } });
    expect(renamed.error).toBeNull();
    expect(renamed.data.user?.user_metadata).toMatchObject({ display_name: 'New Name' });
    const session = (await client.auth.getSession()).data.session!;
    // The old access token (issued with the old metadata) reads the stored name too.
    for (const token of [data.session!.access_token, session.access_token]) {
      const me = await api(harness.server, token, 'GET', '/api/me');
      expect(await me.json()).toMatchObject({ user: { id: userId, display_name: 'New Name' } });
    }
    const socket = await TestSocket.open(harness.server.wsUrl);
    expect(await socket.request({ type: 'authenticate', token: data.session!.access_token })).toMatchObject({
      user: { id: userId, display_name: 'New Name' },
    });
    socket.close();

    const emptyName = await client.auth.updateUser({ data: { display_name: '\u200B \u202E' } });
    expect(emptyName.error).toMatchObject({ status: 400, code: 'validation_failed' });

    const weak = await client.auth.updateUser({ password: 'password' });
    expect(weak.error).toMatchObject({ status: 422, code: 'weak_password' });
    const same = await client.auth.updateUser({ password: 'first password' });
    expect(same.error).toMatchObject({ status: 422, code: 'same_password' });
    expect((await client.auth.updateUser({ password: 'second password' })).error).toBeNull();

    const old = await supabase().auth.signInWithPassword({ email, password: 'first password' });
    expect(old.error).toMatchObject({ code: 'invalid_credentials' });
    const fresh = await supabase().auth.signInWithPassword({ email, password: 'second password' });
    expect(fresh.error).toBeNull();
  });

  it("auth: signOut({scope: 'others'}) ends every other session, on REST, /ws and refresh, and keeps this one", async () => {
    const email = uniqueEmail('others');
    const phone = supabase();
    const laptop = supabase();
    await phone.auth.signUp({ email, password: 'phone and laptop' });
    await laptop.auth.signInWithPassword({ email, password: 'phone and laptop' });
    const phoneSession = (await phone.auth.getSession()).data.session!;
    const laptopSession = (await laptop.auth.getSession()).data.session!;
    const laptopSocket = await TestSocket.open(harness.server.wsUrl);
    await laptopSocket.request({ type: 'authenticate', token: laptopSession.access_token });
    const closed = laptopSocket.waitForClose();

    expect((await phone.auth.signOut({ scope: 'others' })).error).toBeNull();

    // The laptop's open socket is closed at once, its tokens refused everywhere.
    expect(await closed).toMatchObject({ code: 4001 });
    await expectSignedOut(laptopSession);
    const laptopRefresh = await supabase().auth.refreshSession({
      refresh_token: laptopSession.refresh_token,
    });
    expect(laptopRefresh.error).toMatchObject({ code: 'refresh_token_not_found' });
    // The phone goes on.
    expect((await api(harness.server, phoneSession.access_token, 'GET', '/api/me')).status).toBe(200);
    expect((await phone.auth.getUser()).error).toBeNull();
    expect((await phone.auth.refreshSession()).error).toBeNull();
  });

  it('auth: a signed-out session is refused on /auth/v1/user, /api/me and /ws before its exp, and its socket closes with 4001', async () => {
    const client = supabase();
    await client.auth.signUp({ email: uniqueEmail('out'), password: 'signing out now' });
    const session = (await client.auth.getSession()).data.session!;
    const socket = await TestSocket.open(harness.server.wsUrl);
    await socket.request({ type: 'authenticate', token: session.access_token });
    const closed = socket.waitForClose();

    expect((await client.auth.signOut()).error).toBeNull();

    expect(await closed).toMatchObject({ code: 4001 });
    await expectSignedOut(session);
  });

  it('auth: two tabs refreshing one refresh token at once both stay signed in, on the same session', async () => {
    const client = supabase();
    await client.auth.signUp({ email: uniqueEmail('tabs'), password: 'two tabs at once' });
    const session = (await client.auth.getSession()).data.session!;

    const [first, second] = await Promise.all([
      supabase().auth.refreshSession({ refresh_token: session.refresh_token }),
      supabase().auth.refreshSession({ refresh_token: session.refresh_token }),
    ]);
    expect(first.error).toBeNull();
    expect(second.error).toBeNull();
    // Both got the session's one current refresh token, so both keep refreshing.
    expect(first.data.session!.refresh_token).toBe(second.data.session!.refresh_token);
    for (const tab of [first, second]) {
      expect((await api(harness.server, tab.data.session!.access_token, 'GET', '/api/me')).status).toBe(200);
    }
    const next = await supabase().auth.refreshSession({ refresh_token: first.data.session!.refresh_token });
    expect(next.error).toBeNull();
  });

  it("auth: a signed-out session's socket on another process closes at that process's next session check", async () => {
    const clock = new ManualClock();
    const other = await startTestServer(
      {
        databaseUrl: harness.server.config.databaseUrl,
        dataDir: harness.dataDir,
        sessionCheckIntervalMs: 5000,
      },
      { clock },
    );
    try {
      const client = supabase();
      await client.auth.signUp({ email: uniqueEmail('elsewhere'), password: 'two processes' });
      const session = (await client.auth.getSession()).data.session!;
      const socket = await TestSocket.open(other.server.wsUrl);
      await socket.request({ type: 'authenticate', token: session.access_token });
      const closed = socket.waitForClose();

      expect((await client.auth.signOut()).error).toBeNull(); // on the first process
      clock.advance(5000);

      expect(await closed).toMatchObject({ code: 4001 });
    } finally {
      await other.dispose();
    }
  });

  async function expectSignedOut(session: Session): Promise<void> {
    await expectSessionNotFound(harness.server, session.access_token);
    const me = await api(harness.server, session.access_token, 'GET', '/api/me');
    expect(me.status).toBe(401);
    expect(await me.json()).toMatchObject({ error: { code: 'unauthorized' } });
    const socket = await TestSocket.open(harness.server.wsUrl);
    const closed = socket.waitForClose();
    expect(await socket.request({ type: 'authenticate', token: session.access_token })).toMatchObject({
      type: 'error',
      code: 'unauthorized',
    });
    expect(await closed).toMatchObject({ code: 4001 });
  }
});

describe('embedded auth with @supabase/supabase-js: refresh-token reuse on a manual clock', () => {
  const clock = new ManualClock();
  let harness: TestServer;

  beforeAll(async () => {
    harness = await startTestServer({}, { clock });
  });
  afterAll(() => harness.dispose());

  it("auth: a stolen refresh token used after the 10 s grace revokes the whole session, the thief's newer token too", async () => {
    const victim = supabaseFor(harness.server.url);
    await victim.auth.signUp({ email: uniqueEmail('victim'), password: 'stolen refresh' });
    const stolen = (await victim.auth.getSession()).data.session!;

    // The thief refreshes first and holds a newer token.
    const thief = await supabaseFor(harness.server.url).auth.refreshSession({
      refresh_token: stolen.refresh_token,
    });
    expect(thief.error).toBeNull();
    // Within 10 s the same token is taken for a concurrent tab: the current session.
    clock.advance(9_000);
    const tab = await supabaseFor(harness.server.url).auth.refreshSession({
      refresh_token: stolen.refresh_token,
    });
    expect(tab.data.session?.refresh_token).toBe(thief.data.session!.refresh_token);

    clock.advance(1_001);
    const reuse = await supabaseFor(harness.server.url).auth.refreshSession({
      refresh_token: stolen.refresh_token,
    });
    expect(reuse.error).toMatchObject({ status: 400, code: 'refresh_token_already_used' });

    const thiefAgain = await supabaseFor(harness.server.url).auth.refreshSession({
      refresh_token: thief.data.session!.refresh_token,
    });
    expect(thiefAgain.error).not.toBeNull();
    for (const token of [thief.data.session!.access_token, stolen.access_token]) {
      await expectSessionNotFound(harness.server, token);
      expect((await api(harness.server, token, 'GET', '/api/me')).status).toBe(401);
    }
  });
});

describe('embedded auth with @supabase/supabase-js: password recovery through a real SMTP server', () => {
  const clock = new ManualClock();
  let harness: TestServer;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    harness = await startTestServer({ smtpUrl: smtp.url, smtpFrom: 'Chat <chat@example.test>' }, { clock });
  });
  afterAll(async () => {
    await harness.dispose();
    await smtp.close();
  });

  const supabase = () => supabaseFor(harness.server.url);

  it('auth: resetPasswordForEmail mails a code and a link; the code signs in once, and updateUser sets the new password', async () => {
    const email = uniqueEmail('forgot');
    await supabase().auth.signUp({ email, password: 'forgotten one' });

    const reset = await supabase().auth.resetPasswordForEmail(email, {
      redirectTo: `${harness.server.url}/reset`,
    });
    expect(reset.error).toBeNull();
    const mail = await smtp.next();
    expect(mail.to).toEqual([email]);
    const code = /code: (\d{6})/.exec(mail.text)?.[1];
    expect(code).toBeDefined();

    const client = supabase();
    const wrong = await client.auth.verifyOtp({
      email,
      token: code === '000000' ? '111111' : '000000',
      type: 'recovery',
    });
    expect(wrong.error).toMatchObject({ status: 403, code: 'otp_expired' });
    const verified = await client.auth.verifyOtp({ email, token: code!, type: 'recovery' });
    expect(verified.error).toBeNull();
    expect((await client.auth.updateUser({ password: 'remembered now' })).error).toBeNull();

    const again = await supabase().auth.verifyOtp({ email, token: code!, type: 'recovery' });
    expect(again.error).toMatchObject({ code: 'otp_expired' });
    expect(
      (await supabase().auth.signInWithPassword({ email, password: 'forgotten one' })).error,
    ).not.toBeNull();
    expect(
      (await supabase().auth.signInWithPassword({ email, password: 'remembered now' })).error,
    ).toBeNull();
  });

  it('auth: the recovery link signs in once, to this site only, and expires', async () => {
    const email = uniqueEmail('link');
    await supabase().auth.signUp({ email, password: 'link recovery' });

    await supabase().auth.resetPasswordForEmail(email, { redirectTo: 'https://evil.example/steal' });
    const link = /(http:\/\/\S+\/auth\/v1\/verify\?\S+)/.exec((await smtp.next()).text)?.[1];
    expect(link).toBeDefined();
    const first = await fetch(link!, { redirect: 'manual' });
    expect(first.status).toBe(303);
    const location = new URL(first.headers.get('location')!);
    expect(location.origin).toBe(harness.server.url);
    const fragment = new URLSearchParams(location.hash.slice(1));
    expect(fragment.get('type')).toBe('recovery');
    expect((await api(harness.server, fragment.get('access_token'), 'GET', '/api/me')).status).toBe(200);

    const second = await fetch(link!, { redirect: 'manual' });
    expect(
      new URLSearchParams(new URL(second.headers.get('location')!).hash.slice(1)).get('error_code'),
    ).toBe('otp_expired');

    // A new link, past its hour: expired.
    clock.advance(61_000); // one e-mail per address per minute
    await supabase().auth.resetPasswordForEmail(email);
    const late = /(http:\/\/\S+\/auth\/v1\/verify\?\S+)/.exec((await smtp.next()).text)?.[1];
    clock.advance(3600_000 + 1);
    const expired = await fetch(late!, { redirect: 'manual' });
    expect(
      new URLSearchParams(new URL(expired.headers.get('location')!).hash.slice(1)).get('error_code'),
    ).toBe('otp_expired');
  });

  it('auth: recovery answers alike for an unknown e-mail, and sends nothing', async () => {
    const unknown = await supabase().auth.resetPasswordForEmail(uniqueEmail('nobody'));
    expect(unknown.error).toBeNull();
    const again = await supabase().auth.resetPasswordForEmail(uniqueEmail('nobody'));
    expect(again.error).toBeNull();
  });
});

/** GoTrue's answer to a signed-out session's token, which supabase-js turns into "session missing". */
async function expectSessionNotFound(server: ChatServer, token: string): Promise<void> {
  const raw = await fetch(`${server.url}/auth/v1/user`, {
    headers: { authorization: `Bearer ${token}`, 'x-supabase-api-version': '2024-01-01' },
  });
  expect(raw.status).toBe(403);
  expect(await raw.json()).toEqual({
    code: 'session_not_found',
    message: 'Session from session_id claim in JWT does not exist',
  });
  const { error } = await supabaseFor(server.url).auth.getUser(token);
  expect(isAuthSessionMissingError(error)).toBe(true);
}
