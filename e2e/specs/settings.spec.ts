import { expect, test } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { E2eServer } from '../support/server';
import {
  closeAll,
  closeConversation,
  conversationLink,
  send,
  signIn,
  signUp,
  startConversation,
} from '../support/chat';
import type { Person } from '../support/chat';

let server: E2eServer;
let people: Person[] = [];

test.beforeAll(async () => {
  server = new E2eServer();
  await server.start();
});
test.afterAll(async () => {
  await closeAll(people);
  await server.dispose();
});

/** The titles of the list's rows, top to bottom. */
function rowTitles(page: Page): Locator {
  return page.getByRole('navigation', { name: 'Conversations' }).locator('.conversation-row__title');
}

async function action(page: Page, title: string, item: string, how: 'right-click' | 'button'): Promise<void> {
  if (how === 'right-click') await conversationLink(page, title).click({ button: 'right' });
  else {
    await conversationLink(page, title).hover();
    await page.getByRole('button', { name: `Options for ${title}` }).click();
  }
  const menu = page.getByRole('menu', { name: 'Conversation actions' });
  await expect(menu).toBeVisible();
  await menu.getByRole('menuitem', { name: item, exact: true }).click();
  await expect(menu).toBeHidden();
}

test('pin, mute and archive follow to a second tab of the same person', async ({ browser }) => {
  const ada = await signUp(browser, server.url, 'Ada Lovelace');
  const grace = await signUp(browser, server.url, 'Grace Hopper');
  const alan = await signUp(browser, server.url, 'Alan Turing');
  await startConversation(ada.page, 'Grace Hopper');
  await startConversation(ada.page, 'Alan Turing');
  await closeConversation(ada.page);
  const second = await signIn(browser, server.url, ada);
  people = [ada, grace, alan, second];
  const [a, a2] = [ada.page, second.page];
  await expect(rowTitles(a2)).toHaveText(['Alan Turing', 'Grace Hopper']);

  // Pin Grace (right-click): first in both tabs, marked pinned.
  await action(a, 'Grace Hopper', 'Pin', 'right-click');
  for (const page of [a, a2]) {
    await expect(rowTitles(page)).toHaveText(['Grace Hopper', 'Alan Turing']);
    await expect(conversationLink(page, 'Grace Hopper')).toHaveAccessibleDescription(/pinned/u);
  }

  // Mute Grace for 8 hours (the options button): a bell-slash, and her messages leave the title.
  await action(a, 'Grace Hopper', 'Mute for 8 hours', 'button');
  await expect(conversationLink(a2, 'Grace Hopper')).toHaveAccessibleDescription(/muted/u);
  await expect(
    conversationLink(a2, 'Grace Hopper').locator('.conversation-row__flag[title="Muted"]'),
  ).toBeVisible();
  await startConversation(grace.page, 'Ada Lovelace');
  await send(grace.page, 'Are you there?');
  await expect(conversationLink(a2, 'Grace Hopper')).toHaveAccessibleDescription(/1 unread/u);
  await expect(a2).toHaveTitle('Messages');
  // Alan is not muted: his message counts.
  await startConversation(alan.page, 'Ada Lovelace');
  await send(alan.page, 'Hello Ada');
  await expect(a2).toHaveTitle('(1) Messages');

  // Unmute from the other tab: both follow.
  await action(a2, 'Grace Hopper', 'Unmute', 'right-click');
  await expect(conversationLink(a, 'Grace Hopper')).not.toHaveAccessibleDescription(/muted/u);
  await expect(a).toHaveTitle('(2) Messages');

  // Archive Alan: gone from both lists, in "Archived" in the other tab.
  await action(a, 'Alan Turing', 'Archive', 'right-click');
  for (const page of [a, a2]) await expect(conversationLink(page, 'Alan Turing')).toBeHidden();
  await a2.getByRole('button', { name: 'Archived (1)' }).click();
  await expect(a2.getByRole('heading', { name: 'Archived' })).toBeVisible();
  await expect(conversationLink(a2, 'Alan Turing')).toBeVisible();
  await action(a2, 'Alan Turing', 'Unarchive', 'button');
  await expect(conversationLink(a2, 'Alan Turing')).toBeHidden();
  await a2.getByRole('button', { name: 'Messages' }).click();
  for (const page of [a, a2]) await expect(conversationLink(page, 'Alan Turing')).toBeVisible();

  // On a phone, a swipe left on a row opens the same actions.
  const phone = await signIn(browser, server.url, ada, {
    viewport: { width: 390, height: 844 },
    hasTouch: true,
  });
  people.push(phone);
  const row = await conversationLink(phone.page, 'Alan Turing').boundingBox();
  if (!row) throw new Error('no row on screen');
  const y = row.y + row.height / 2;
  const cdp = await phone.context.newCDPSession(phone.page);
  const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', x: number) =>
    cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : [{ x, y }] });
  await touch('touchStart', 300);
  for (let x = 290; x >= 200; x -= 10) await touch('touchMove', x);
  await touch('touchEnd', 200);
  const menu = phone.page.getByRole('menu', { name: 'Conversation actions' });
  await expect(menu).toBeVisible();
  await menu.getByRole('menuitem', { name: 'Pin', exact: true }).click();
  await expect(rowTitles(a)).toHaveText(['Alan Turing', 'Grace Hopper']);

  for (const person of people) expect(person.dialogs).toEqual([]);
});
