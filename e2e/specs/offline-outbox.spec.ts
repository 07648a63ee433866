import { expect, test } from '@playwright/test';
import { E2eServer } from '../support/server';
import {
  bubble,
  bubbles,
  chatWindow,
  closeAll,
  composer,
  connectionBanner,
  conversationLink,
  messageLog,
  openConversation,
  send,
  signUp,
  startConversation,
  waitForOfflineShell,
} from '../support/chat';
import type { Person } from '../support/chat';

/*
 * Issue B: the web app keeps typed-but-unsent messages across a page reload while the server is
 * down, and sends them once it is back. The real server process is stopped (SIGTERM) and started
 * again on the same port; nothing is intercepted.
 */

let server: E2eServer;
let people: Person[] = [];

/** Reconnecting backs off (up to 30 s with jitter): give the way back that long. */
const BACK = { timeout: 45_000 };

test.beforeAll(async () => {
  server = new E2eServer();
  await server.start();
});
test.afterEach(async () => {
  await closeAll(people);
  people = [];
  // A failed test may leave the server stopped.
  await server.start();
});
test.afterAll(async () => {
  await server.dispose();
});

test('messages sent while the server is down survive a reload and are delivered once when it is back', async ({
  browser,
}) => {
  const ada = await signUp(browser, server.url, 'Ada Lovelace');
  const grace = await signUp(browser, server.url, 'Grace Hopper');
  people.push(ada, grace);
  const a = ada.page;
  const g = grace.page;
  await startConversation(a, 'Grace Hopper');
  await openConversation(g, 'Ada Lovelace');
  await send(a, 'Are you coming to the lecture tonight?');
  await expect(await bubble(g, 'Are you coming to the lecture tonight?')).toBeVisible();
  await waitForOfflineShell(a);

  await server.stop();
  await expect(connectionBanner(a)).toContainText('Reconnecting');

  // Sent while the server is down: on screen at once, waiting.
  const offline = ['The server seems to be down', 'I will keep writing anyway'];
  for (const text of offline) await send(a, text);
  for (const text of offline) await expect(await bubble(a, text)).toHaveClass(/bubble--pending/);
  await expect(messageLog(a).getByText('Waiting to send', { exact: true })).toBeVisible();
  // And some text typed but not sent.
  await composer(a).fill('A draft, not sent yet');

  // Reload with the server still down: the app opens from the service worker, still signed in,
  // with the unsent messages (IndexedDB outbox), the draft (localStorage) and the list (cached).
  await a.reload();
  await expect(chatWindow(a, 'Grace Hopper')).toBeVisible();
  await expect(conversationLink(a, 'Grace Hopper')).toBeVisible();
  await expect(a.getByRole('button', { name: 'Sign in' })).toHaveCount(0);
  await expect(connectionBanner(a)).toContainText('Reconnecting');
  for (const text of offline) await expect(await bubble(a, text)).toHaveClass(/bubble--pending/);
  await expect(messageLog(a).getByText('Waiting to send', { exact: true })).toBeVisible();
  await expect(composer(a)).toHaveValue('A draft, not sent yet');
  for (const text of offline) await expect(bubbles(g, text)).toHaveCount(0);

  // The server is back: each message reaches Grace exactly once, and Ada's are no longer pending.
  await server.start();
  for (const page of [a, g]) await expect(connectionBanner(page)).toBeHidden(BACK);
  const all = ['Are you coming to the lecture tonight?', ...offline];
  for (const page of [a, g]) {
    for (const text of all) await expect(bubbles(page, text)).toHaveCount(1, BACK);
    await expect(messageLog(page).locator('.bubble--pending')).toHaveCount(0);
  }
  await expect(messageLog(a).locator('.bubble__text')).toHaveText(all);
  await expect(messageLog(g).locator('.bubble__text')).toHaveText(all);
  // The list, shown from the device's copy while offline, is live again.
  await expect(conversationLink(a, 'Grace Hopper')).toHaveAccessibleDescription(/I will keep writing anyway/);
  // A draft stays a draft until it is sent.
  await expect(composer(a)).toHaveValue('A draft, not sent yet');
  await a.getByRole('button', { name: 'Send' }).click();
  await expect(await bubble(g, 'A draft, not sent yet')).toBeVisible();

  // Nothing is sent twice by a later reload either.
  await a.reload();
  await expect(messageLog(a).locator('.bubble__text')).toHaveText([...all, 'A draft, not sent yet']);
  await expect(composer(a)).toHaveValue('');
  await expect(messageLog(g).locator('.bubble__text')).toHaveText([...all, 'A draft, not sent yet']);
});

test('a reload while the server is down does not sign out, even when the access token has expired', async ({
  browser,
}) => {
  const katherine = await signUp(browser, server.url, 'Katherine Johnson');
  people.push(katherine);
  const page = katherine.page;
  await waitForOfflineShell(page);

  await server.stop();
  // Time passes: the stored access token expires (moved where supabase-js keeps it), so the
  // reload must refresh it, and cannot: the server is down.
  await page.evaluate(`(() => {
    const key = Object.keys(localStorage).find((k) => k.startsWith('sb-') && k.endsWith('-auth-token'));
    const session = JSON.parse(localStorage.getItem(key));
    session.expires_at = Math.floor(Date.now() / 1000) - 60;
    localStorage.setItem(key, JSON.stringify(session));
  })()`);
  await page.reload();

  await expect(page.getByText('Signed in as Katherine Johnson')).toBeVisible();
  await expect(page.getByRole('button', { name: 'New conversation' })).toBeVisible();
  await expect(connectionBanner(page)).toContainText('Reconnecting');
  await expect(page.getByRole('button', { name: 'Sign in' })).toHaveCount(0);
  expect(katherine.dialogs).toEqual([]);
});
