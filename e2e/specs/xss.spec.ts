import { expect, test } from '@playwright/test';
import { E2eServer } from '../support/server';
import {
  bubble,
  chatWindow,
  closeAll,
  conversationLink,
  messageLog,
  openConversation,
  send,
  signUp,
  startConversation,
} from '../support/chat';
import type { Person } from '../support/chat';

let server: E2eServer;
let people: Person[] = [];

const PAYLOAD = '<img src=x onerror=alert(1)>';
/** A display name is text people choose too. */
const SHADY_NAME = 'Mallory <img src=y onerror=alert(2)>';

test.beforeAll(async () => {
  server = new E2eServer();
  people = [];
  await server.start();
});
test.afterAll(async () => {
  await closeAll(people);
  await server.dispose();
});

test('a message body (or a name) that looks like HTML shows as text and runs nothing', async ({
  browser,
}) => {
  const ada = await signUp(browser, server.url, 'Ada Lovelace');
  const mallory = await signUp(browser, server.url, SHADY_NAME);
  people.push(ada, mallory);
  const a = ada.page;
  const m = mallory.page;

  await startConversation(m, 'Ada Lovelace');
  await openConversation(a, SHADY_NAME);
  await send(m, PAYLOAD);

  for (const page of [a, m]) {
    await expect(await bubble(page, PAYLOAD)).toBeVisible();
    await expect(messageLog(page).locator('img[src="x"]')).toHaveCount(0);
    await expect(page.locator('img[src="x"], img[src="y"]')).toHaveCount(0);
  }
  // The list's preview and the chat's title are text too.
  await expect(conversationLink(a, SHADY_NAME)).toHaveAccessibleDescription(new RegExp(escape(PAYLOAD)));
  await expect(chatWindow(a, SHADY_NAME).getByRole('heading', { name: SHADY_NAME })).toBeVisible();

  // A round trip after it: had anything run, its dialog would have opened by now.
  await send(a, 'Nice try');
  await expect(await bubble(m, 'Nice try')).toBeVisible();
  expect(ada.dialogs).toEqual([]);
  expect(mallory.dialogs).toEqual([]);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
}
