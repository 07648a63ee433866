import { expect, test } from '@playwright/test';
import { E2eServer } from '../support/server';
import {
  bubble,
  closeAll,
  composer,
  messageAction,
  messageLog,
  openConversation,
  send,
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

test('search finds an edited message by its new text only, and opens it in place, history loaded down to it', async ({
  browser,
}) => {
  // It fills a long history first: 66 s of its 90 on a loaded machine (CI of 2026-12-03 evening).
  test.slow();
  const ada = await signUp(browser, server.url, 'Ada Lovelace');
  const grace = await signUp(browser, server.url, 'Grace Hopper');
  people = [ada, grace];
  const [a, g] = [ada.page, grace.page];

  await startConversation(a, 'Grace Hopper');
  await send(a, 'Meet at the old harbour');
  await messageAction(a, 'Meet at the old harbour', 'Edit');
  const editor = a.getByRole('textbox', { name: 'Edit message' });
  await editor.fill('Meet at the new pier at noon');
  await editor.press('Enter');
  await expect(await bubble(a, 'Meet at the new pier at noon')).toBeVisible();
  // More than a page after it: opening it has to load older history.
  for (let i = 1; i <= 60; i++) {
    await composer(a).fill(`Filler ${i}`);
    await composer(a).press('Enter');
  }
  await expect(await bubble(a, 'Filler 60')).toBeVisible();
  await expect(messageLog(a).getByText('Sending…')).toHaveCount(0);

  const search = g.getByRole('searchbox', { name: 'Search' });
  const found = g.getByRole('region', { name: 'Messages found' });
  await search.fill('harbour');
  await expect(found.getByText('No messages found.')).toBeVisible();
  await expect(found.getByRole('link')).toHaveCount(0);

  await search.fill('PIER');
  const result = found.getByRole('link');
  await expect(result).toHaveCount(1);
  await expect(result.locator('mark')).toHaveText('pier');
  await expect(result).toContainText('Ada Lovelace: Meet at the new pier at noon');
  // Conversations are found by name in the same box.
  await search.fill('Ada');
  await expect(
    g.getByRole('region', { name: 'Conversations found' }).getByRole('link', { name: 'Ada Lovelace' }),
  ).toBeVisible();

  await search.fill('pier');
  await found.getByRole('link').click();
  const target = await bubble(g, 'Meet at the new pier at noon');
  await expect(target).toBeInViewport();
  await expect(target).toHaveClass(/bubble--highlighted/u);
  await expect(messageLog(g).getByText('Meet at the old harbour')).toHaveCount(0);
  // Nothing is missing between it and the newest: the whole history is there, in order.
  await expect(messageLog(g).locator('.bubble__text')).toHaveCount(61);
  await expect(messageLog(g).getByText('This is the beginning of the conversation')).toBeAttached();

  // Scrolled up there, a new message shows a "New message" pill under the messages, not over them.
  await send(a, 'Are you coming?');
  const pill = g.getByRole('button', { name: 'New message' });
  await expect(pill).toBeVisible();
  const logBox = await messageLog(g).boundingBox();
  const pillBox = await pill.boundingBox();
  expect(pillBox!.y).toBeGreaterThanOrEqual(logBox!.y + logBox!.height);
  await pill.click();
  await expect(await bubble(g, 'Are you coming?')).toBeInViewport();
  await expect(pill).toBeHidden();

  // Opened again from the list later, it starts at the newest, as usual.
  await search.fill('');
  await openConversation(g, 'Ada Lovelace');
  for (const person of people) expect(person.dialogs).toEqual([]);
});
