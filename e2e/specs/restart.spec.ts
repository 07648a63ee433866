import { expect, test } from '@playwright/test';
import { E2eServer } from '../support/server';
import {
  bubble,
  bubbles,
  closeAll,
  connectionBanner,
  messageLog,
  openConversation,
  send,
  signUp,
  startConversation,
} from '../support/chat';
import type { Person } from '../support/chat';

let server: E2eServer;
let ada: Person | undefined;
let grace: Person | undefined;

/** Reconnecting backs off (up to 30 s with jitter): give the way back that long. */
const BACK = { timeout: 45_000 };

test.beforeAll(async () => {
  server = new E2eServer();
  await server.start();
});
test.afterAll(async () => {
  await closeAll([ada, grace]);
  await server.dispose();
});

test('a server restart mid-conversation loses and doubles nothing', async ({ browser }) => {
  ada = await signUp(browser, server.url, 'Ada Lovelace');
  grace = await signUp(browser, server.url, 'Grace Hopper');
  const a = ada.page;
  const g = grace.page;
  await startConversation(a, 'Grace Hopper');
  await openConversation(g, 'Ada Lovelace');
  await send(a, 'Before the restart');
  await expect(await bubble(g, 'Before the restart')).toBeVisible();
  for (const page of [a, g]) await expect(connectionBanner(page)).toBeHidden();

  await server.stop();
  for (const page of [a, g]) await expect(connectionBanner(page)).toContainText('Reconnecting');

  // Sent while the server is down: shown at once, pending, on the sender's side only.
  const fromAda = ['While you were away 1', 'While you were away 2'];
  for (const text of fromAda) await send(a, text);
  await send(g, 'Grace, also during the outage');
  for (const text of fromAda) await expect(await bubble(a, text)).toHaveClass(/bubble--pending/);
  await expect(await bubble(g, 'Grace, also during the outage')).toHaveClass(/bubble--pending/);

  await server.start();
  for (const page of [a, g]) await expect(connectionBanner(page)).toBeHidden(BACK);

  // Everything arrives, once, on both sides, and nothing is pending any more.
  const all = ['Before the restart', ...fromAda, 'Grace, also during the outage'];
  for (const page of [a, g]) {
    for (const text of all) await expect(bubbles(page, text)).toHaveCount(1, BACK);
    await expect(messageLog(page).locator('.bubble--pending')).toHaveCount(0, BACK);
  }

  // And the conversation goes on live.
  await send(g, 'Back online');
  await expect(await bubble(a, 'Back online')).toBeVisible();
  for (const page of [a, g]) {
    await expect(messageLog(page).locator('.bubble__text')).toHaveCount(all.length + 1);
  }

  // The browser itself going offline says so, and the way back is at once.
  await ada.context.setOffline(true);
  await expect(connectionBanner(a)).toContainText('Waiting for network…');
  await send(a, 'Sent from the tunnel');
  await expect(await bubble(a, 'Sent from the tunnel')).toHaveClass(/bubble--pending/);
  await ada.context.setOffline(false);
  await expect(connectionBanner(a)).toBeHidden();
  await expect(await bubble(g, 'Sent from the tunnel')).toBeVisible();
  await expect(bubbles(a, 'Sent from the tunnel')).toHaveCount(1);
  await expect(messageLog(a).locator('.bubble--pending')).toHaveCount(0);
});
