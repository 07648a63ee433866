import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { E2eServer } from '../support/server';
import {
  bubble,
  chatWindow,
  closeAll,
  composer,
  conversationLink,
  messageAction,
  messageLog,
  openConversation,
  openDetails,
  send,
  signUp,
  startConversation,
  READ_RECEIPT,
} from '../support/chat';
import type { Person } from '../support/chat';
import { naturalWidth, pastePhotos } from '../support/files';

/*
 * The README's screenshots, taken from the real app on a real server: the conversation list and
 * a chat, light and dark, phone and desktop, under stable names (`list-phone-dark.png`,
 * `chat-desktop-light.png`, ...), then a group's Details, a mention and a search, and a photo in a
 * conversation and the photo viewer (desktop, light). Every run saves them as artifacts in e2e/artifacts/screenshots/;
 * `UPDATE_SCREENSHOTS=1 npm run test:e2e` writes them to docs/screenshots/ for the README.
 */

const OUT = fileURLToPath(
  new URL(
    process.env.UPDATE_SCREENSHOTS === '1' ? '../../docs/screenshots/' : '../artifacts/screenshots/',
    import.meta.url,
  ),
);
const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 800 },
} as const;
const SCHEMES = ['light', 'dark'] as const;

let server: E2eServer;
let people: Person[] = [];

test.beforeAll(async () => {
  server = new E2eServer();
  people = [];
  await server.start();
  mkdirSync(OUT, { recursive: true });
});
test.afterAll(async () => {
  await closeAll(people);
  await server.dispose();
});

test('screenshots of the conversation list and a chat, light and dark, phone and desktop', async ({
  browser,
}) => {
  // Four people, a group, a chat, then eight screens: past 90 s on a loaded machine (CI of 2026-12-03 evening), 29 s alone.
  test.slow();
  const ada = await signUp(browser, server.url, 'Ada Lovelace');
  const grace = await signUp(browser, server.url, 'Grace Hopper');
  const alan = await signUp(browser, server.url, 'Alan Turing');
  const katherine = await signUp(browser, server.url, 'Katherine Johnson');
  people.push(ada, grace, alan, katherine);
  const a = ada.page;
  const g = grace.page;

  // Older conversations first, so the one with Grace ends up on top of the list.
  await startGroup(katherine.page, ['Ada Lovelace', 'Alan Turing'], 'Launch team');
  await send(katherine.page, 'Trajectory numbers are checked ✅ See you all at the briefing.');
  await startConversation(alan.page, 'Ada Lovelace');
  await send(alan.page, 'Are we still on for chess on Sunday? ♟️');

  await startConversation(g, 'Ada Lovelace');
  await send(g, 'Ada! I finally read your notes on the Analytical Engine.');
  await send(g, 'The part about weaving algebraic patterns is beautiful.');
  await openConversation(a, 'Grace Hopper');
  await expect(await bubble(a, 'The part about weaving algebraic patterns is beautiful.')).toBeVisible();

  await send(a, 'Thank you! I worked the Bernoulli numbers out by hand first 😅');
  await messageAction(g, 'Thank you! I worked the Bernoulli numbers out by hand first 😅', 'Love');
  await send(a, 'Here is the full draft: https://en.wikipedia.org/wiki/Note_G');
  await messageAction(g, 'Here is the full draft: https://en.wikipedia.org/wiki/Note_G', 'Reply');
  await send(g, 'Reading it tonight. Coffee tomorrow at 10?');
  await send(a, 'Perfect, see you at 10');
  await messageAction(a, 'Perfect, see you at 10', 'Edit');
  const editor = a.getByRole('textbox', { name: 'Edit message' });
  await editor.fill('Perfect, see you at 10 ☕️');
  await editor.press('Enter');

  const log = messageLog(a);
  await expect(await bubble(a, 'Perfect, see you at 10 ☕️')).toBeVisible();
  await expect(log.getByText('Edited', { exact: true })).toBeVisible();
  await expect(log.getByText(READ_RECEIPT)).toBeVisible();
  await expect(log.getByRole('button', { name: 'Reactions: Love 1: Grace Hopper' })).toBeVisible();
  await expect(log.getByRole('link', { name: 'https://en.wikipedia.org/wiki/Note_G' })).toBeVisible();
  await expect(conversationLink(a, 'Launch team')).toBeVisible();
  await expect(conversationLink(a, 'Alan Turing')).toBeVisible();

  for (const [device, viewport] of Object.entries(VIEWPORTS)) {
    await a.setViewportSize(viewport);
    for (const colorScheme of SCHEMES) {
      await a.emulateMedia({ colorScheme });
      await a.goto(`${server.url}/#/`);
      await expect(conversationLink(a, 'Grace Hopper')).toHaveAccessibleDescription(/see you at 10 ☕️/);
      await shoot(a, `list-${device}-${colorScheme}`);

      await conversationLink(a, 'Grace Hopper').click();
      await expect(chatWindow(a, 'Grace Hopper')).toBeVisible();
      await expect(log.getByText(READ_RECEIPT)).toBeVisible();
      await expect(composer(a)).toBeVisible();
      await shoot(a, `chat-${device}-${colorScheme}`);
    }
  }

  // The group panel, a mention and a search (desktop, light).
  await a.setViewportSize(VIEWPORTS.desktop);
  await a.emulateMedia({ colorScheme: 'light' });
  await a.goto(`${server.url}/#/`);
  await openConversation(a, 'Launch team');
  const k = katherine.page;
  await composer(k).pressSequentially('@Ad');
  await composer(k).press('Enter');
  await composer(k).pressSequentially('can you check the orbit numbers before the briefing?');
  await composer(k).press('Enter');
  await expect(log.locator('.mention')).toHaveText('@Ada Lovelace');
  const panel = await openDetails(a);
  await panel.getByRole('button', { name: 'Add people' }).click();
  await panel.getByRole('searchbox', { name: 'Search people' }).fill('Grace');
  await panel.getByRole('button', { name: 'Grace Hopper', exact: true }).click();
  await expect(panel.getByRole('list', { name: 'Members' }).getByRole('listitem')).toHaveCount(4);
  await panel.getByRole('button', { name: 'Done adding people' }).click();
  await shoot(a, 'group-details-desktop-light');
  await panel.getByRole('button', { name: 'Done', exact: true }).click();
  await expect(log.getByRole('note').filter({ hasText: 'You added Grace Hopper' })).toBeVisible();

  await composer(a).pressSequentially('Sure @K');
  await expect(a.getByRole('listbox', { name: 'Mention' })).toBeVisible();
  await shoot(a, 'mention-desktop-light');
  await composer(a).press('Enter');
  await composer(a).pressSequentially('on it!');
  await composer(a).press('Enter');

  await a.getByRole('searchbox', { name: 'Search' }).fill('numbers');
  await expect(a.getByRole('region', { name: 'Messages found' }).locator('mark').first()).toBeVisible();
  await shoot(a, 'search-desktop-light');
});

test('screenshots of a photo in a conversation and of the photo viewer', async ({ browser }) => {
  const margaret = await signUp(browser, server.url, 'Margaret Hamilton');
  const annie = await signUp(browser, server.url, 'Annie Easley');
  people.push(margaret, annie);
  const m = margaret.page;
  const n = annie.page;
  for (const page of [m, n]) {
    await page.setViewportSize(VIEWPORTS.desktop);
    await page.emulateMedia({ colorScheme: 'light' });
  }
  await startConversation(n, 'Margaret Hamilton');
  await send(n, 'Did you see the launch?');
  await openConversation(m, 'Annie Easley');
  await expect(await bubble(m, 'Did you see the launch?')).toBeVisible();

  await pastePhotos(m, [{ name: 'launch-evening.jpg', width: 1600, height: 1067, hue: 8 }]);
  await composer(m).fill('From the roof, right after liftoff');
  await m.getByRole('button', { name: 'Send' }).click();
  const opener = messageLog(n).getByRole('button', { name: 'Open photo launch-evening.jpg' });
  await expect.poll(() => naturalWidth(opener.getByRole('img'))).toBe(512);
  await messageAction(n, 'From the roof, right after liftoff', 'Love');
  await send(n, 'What a sky. Printing this one for the lab wall');
  await expect(await bubble(m, 'What a sky. Printing this one for the lab wall')).toBeVisible();
  const mine = messageLog(m).getByRole('button', { name: 'Open photo launch-evening.jpg' });
  await expect.poll(() => naturalWidth(mine.getByRole('img'))).toBe(512);
  await expect(messageLog(m).getByText(READ_RECEIPT)).toBeVisible();
  await shoot(m, 'photo-desktop-light');

  await mine.click();
  const viewer = m.getByRole('dialog', { name: 'launch-evening.jpg' });
  await expect.poll(() => naturalWidth(viewer.getByRole('img'))).toBe(1600);
  await shoot(m, 'viewer-desktop-light');
  await m.keyboard.press('Escape');
  await expect(viewer).toBeHidden();
});

async function startGroup(page: Page, names: readonly string[], title: string): Promise<void> {
  await page.getByRole('button', { name: 'New conversation' }).click();
  const dialog = page.getByRole('dialog', { name: 'New conversation' });
  for (const name of names) {
    await dialog.getByRole('searchbox', { name: 'Search people' }).fill(name);
    await dialog.getByRole('button', { name, exact: true }).click();
  }
  await dialog.getByRole('textbox', { name: 'Group title' }).fill(title);
  await dialog.getByRole('button', { name: 'Start conversation' }).click();
  await expect(chatWindow(page, title)).toBeVisible();
}

/** A still picture: no pointer hovering a bubble, no blinking caret, no animation half-way. */
async function shoot(page: Page, name: string): Promise<void> {
  await page.mouse.move(0, 0);
  await page.screenshot({ path: `${OUT}${name}.png`, caret: 'hide', animations: 'disabled' });
}
