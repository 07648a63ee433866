import { expect, test } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { E2eServer } from '../support/server';
import { expectNoSeriousViolations } from '../support/axe';
import {
  closeAll,
  composer,
  conversationLink,
  messageAction,
  messageLog,
  openApp,
  openConversation,
  openDetails,
  send,
  signIn,
  signUp,
  startConversation,
  startGroup,
  READ_RECEIPT,
} from '../support/chat';
import type { Person } from '../support/chat';
import { pasteBlob, pastePhotos } from '../support/files';

/*
 * Issue 8, accessibility: axe-core finds nothing serious or critical on any screen in light and
 * dark, and the chat works from the keyboard (focus into and back out of the message menu, the
 * dialog and an edit; the messages one tab stop with arrow keys between them), with every
 * message's time reachable by keyboard focus and, on a phone, by a swipe left.
 */

const SCHEMES = ['light', 'dark'] as const;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const LINK_MESSAGE = 'Yes! Here: https://en.wikipedia.org/wiki/Note_G';

let server: E2eServer;
let people: Person[] = [];
let ada: Person;

test.beforeAll(async ({ browser }) => {
  server = new E2eServer();
  people = [];
  await server.start();
  ada = await signUp(browser, server.url, 'Ada Lovelace');
  const grace = await signUp(browser, server.url, 'Grace Hopper');
  const alan = await signUp(browser, server.url, 'Alan Turing');
  people.push(ada, grace, alan);

  // Alan's message stays unread (a badge in Ada's list); Grace's chat has a reply, a tapback,
  // a bare-domain link and Read.
  await startConversation(alan.page, 'Ada Lovelace');
  await send(alan.page, 'Chess on Sunday?');
  await startConversation(grace.page, 'Ada Lovelace');
  await send(grace.page, 'Did you read the notes? see www.example.com/notes');
  await openConversation(ada.page, 'Grace Hopper');
  await send(ada.page, LINK_MESSAGE);
  await messageAction(grace.page, LINK_MESSAGE, 'Love');
  await messageAction(grace.page, LINK_MESSAGE, 'Reply');
  await send(grace.page, 'Reading it tonight');
  await expect(messageLog(ada.page).getByText('Reading it tonight')).toBeVisible();
  await send(ada.page, 'Coffee at 10?');
  await expect(messageLog(ada.page).getByText(READ_RECEIPT)).toBeVisible();
});
test.afterAll(async () => {
  await closeAll(people);
  await server.dispose();
});

/** Ada on the desktop, with Grace's conversation freshly opened (no tab stop moved, nothing open). */
async function atChat(colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const page = ada.page;
  await page.setViewportSize(DESKTOP);
  await page.emulateMedia({ colorScheme });
  await page.goto(`${server.url}/#/`);
  await expect(page.getByRole('log')).toBeHidden();
  await openConversation(page, 'Grace Hopper');
  return page;
}

function message(page: Page, text: RegExp): Locator {
  return messageLog(page).getByRole('article', { name: text });
}

function bubbleOf(row: Locator): Locator {
  return row.locator('.bubble');
}

function timeOf(row: Locator): Locator {
  return row.locator('time.message-row__time');
}

/** A short description of the focused element, to follow Tab through the page. */
function focused(page: Page): Promise<string> {
  return page.evaluate(`(() => {
    const e = document.activeElement;
    if (!e || e === document.body) return 'body';
    if (e.dataset.messageKey !== undefined) return 'message: ' + e.querySelector('.bubble__text')?.textContent;
    const inLog = e.closest('[role="log"]') ? 'in log: ' : '';
    return inLog + e.tagName.toLowerCase() + ' ' + (e.getAttribute('aria-label') ?? e.textContent ?? '').trim();
  })()`);
}

test('axe finds nothing serious on the sign-in screen, light and dark', async ({ browser }) => {
  const { context, page } = await openApp(browser, server.url);
  try {
    for (const colorScheme of SCHEMES) {
      await page.emulateMedia({ colorScheme });
      await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
      await expectNoSeriousViolations(page, `sign-in, ${colorScheme}`);
    }
  } finally {
    await context.close();
  }
});

test('axe finds nothing serious on the list, the chat, the menu, an edit and the dialog, light and dark', async () => {
  // Eight axe passes: CPU-bound, past 90 s on a loaded machine (CI of 2026-12-03 evening), 38 s alone.
  test.slow();
  for (const colorScheme of SCHEMES) {
    const page = await atChat(colorScheme);
    await expect(conversationLink(page, 'Alan Turing')).toHaveAccessibleDescription(/1 unread/);
    await expectNoSeriousViolations(page, `list and chat, desktop, ${colorScheme}`);

    // A message with keyboard focus, its time shown.
    const coffee = message(page, /Coffee at 10\?/);
    await composer(page).focus();
    // Back past "Attach" and the message's own "Message options" to the message.
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await expect(coffee).toBeFocused();
    await expect(timeOf(coffee)).toHaveCSS('opacity', '1');
    await expectNoSeriousViolations(page, `focused message, ${colorScheme}`);

    await page.keyboard.press('Enter');
    await expect(page.getByRole('menu', { name: 'Message actions' })).toBeVisible();
    await expectNoSeriousViolations(page, `message menu, ${colorScheme}`);
    await page.getByRole('menuitem', { name: 'Edit' }).click();
    await expect(page.getByRole('textbox', { name: 'Edit message' })).toBeFocused();
    await expectNoSeriousViolations(page, `edit, ${colorScheme}`);
    await page.keyboard.press('Escape');

    await bubbleOf(message(page, /Reading it tonight/)).click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Reply' }).click();
    await expect(page.getByText('Replying to Grace Hopper')).toBeVisible();
    await expectNoSeriousViolations(page, `replying, ${colorScheme}`);
    await page.getByRole('button', { name: 'Cancel reply' }).click();

    await page.getByRole('button', { name: 'New conversation' }).click();
    const dialog = page.getByRole('dialog', { name: 'New conversation' });
    for (const name of ['Alan Turing', 'Grace Hopper']) {
      await dialog.getByRole('searchbox', { name: 'Search people' }).fill(name);
      await dialog.getByRole('button', { name, exact: true }).click();
    }
    await expect(dialog.getByRole('textbox', { name: 'Group title' })).toBeVisible();
    await expectNoSeriousViolations(page, `new conversation dialog, ${colorScheme}`);
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    await page.setViewportSize(PHONE);
    await expectNoSeriousViolations(page, `chat, phone, ${colorScheme}`);
    await page.getByRole('button', { name: 'Back' }).click();
    await expect(conversationLink(page, 'Alan Turing')).toBeVisible();
    await expectNoSeriousViolations(page, `list, phone, ${colorScheme}`);
  }
});

test('text fields are at least 16 px (no zoom on iOS)', async () => {
  const page = await atChat();
  const atLeast16px = /^(1[6-9]|[2-9]\d|\d{3,})(\.\d+)?px$/u;
  await expect(composer(page)).toHaveCSS('font-size', atLeast16px);
  await bubbleOf(message(page, /Coffee at 10\?/)).click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Edit' }).click();
  await expect(page.getByRole('textbox', { name: 'Edit message' })).toHaveCSS('font-size', atLeast16px);
  await page.keyboard.press('Escape');
});

test('closing the New conversation dialog gives focus back to its button', async () => {
  const page = await atChat();
  const opener = page.getByRole('button', { name: 'New conversation' });
  const dialog = page.getByRole('dialog', { name: 'New conversation' });

  await opener.focus();
  await page.keyboard.press('Enter');
  await expect(dialog.getByRole('searchbox', { name: 'Search people' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();

  await opener.click();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();
});

test('the message menu takes focus, walks with arrow keys and gives focus back', async () => {
  const page = await atChat();
  const menu = page.getByRole('menu', { name: 'Message actions' });
  const reading = message(page, /Reading it tonight/);

  await reading.focus();
  await page.keyboard.press('Enter');
  await expect(menu.getByRole('menuitemcheckbox', { name: 'Love' })).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(menu.getByRole('menuitemcheckbox', { name: 'Like', exact: true })).toBeFocused();
  await page.keyboard.press('End');
  await expect(menu.getByRole('menuitem', { name: 'Copy' })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(menu.getByRole('menuitemcheckbox', { name: 'Love' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();
  await expect(reading).toBeFocused();

  // Shift+F10, the keyboard's context menu; Tab leaves the menu closed.
  await page.keyboard.press('Shift+F10');
  await expect(menu).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(menu).toBeHidden();
  await expect(reading).toBeFocused();

  // From the options button, and back to it after an action.
  const options = reading.getByRole('button', { name: 'Message options' });
  await options.click();
  await expect(menu.getByRole('menuitemcheckbox', { name: 'Love' })).toBeFocused();
  await menu.getByRole('menuitem', { name: 'Copy' }).press('Enter');
  await expect(menu).toBeHidden();
  await expect(options).toBeFocused();
});

test('the messages are one tab stop, with arrow keys between them; a focused message shows its time', async () => {
  const page = await atChat();
  const coffee = message(page, /Coffee at 10\?/);
  const reading = message(page, /Reading it tonight/);
  await expect(timeOf(coffee)).not.toBeInViewport();

  // Backwards from the composer: the newest message's own controls, the message, then out of the log.
  await composer(page).focus();
  const stops: string[] = [];
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('Shift+Tab');
    stops.push(await focused(page));
  }
  const messages = stops.filter((s) => s.startsWith('message: '));
  expect(messages, stops.join('\n')).toEqual(['message: Coffee at 10?']);
  expect(stops.at(-1), stops.join('\n')).not.toMatch(/^(message|in log)/);

  await coffee.focus();
  await page.keyboard.press('ArrowUp');
  await expect(reading).toBeFocused();
  await expect(timeOf(reading)).toBeInViewport({ ratio: 1 });
  await expect(timeOf(reading)).toHaveCSS('opacity', '1');
  await expect(timeOf(coffee)).not.toBeInViewport();
  await page.keyboard.press('Home');
  await expect(message(page, /www\.example\.com/)).toBeFocused();
  await page.keyboard.press('End');
  await expect(coffee).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(reading).toBeFocused();

  // Forwards from that message: its own controls, then the composer; no other message on the way.
  const forward = await tabUntil(page, 'Tab', (stop) => stop === 'textarea Message');
  expect(
    forward.filter((s) => s.startsWith('message: ')),
    forward.join('\n'),
  ).toEqual([]);

  // Back again: the tab stop stayed on the message the reader left.
  const back = await tabUntil(page, 'Shift+Tab', (stop) => stop.startsWith('message: '));
  expect(back.at(-1), back.join('\n')).toBe('message: Reading it tonight');
});

/** Presses Tab (or Shift+Tab) until `done` holds for the focused element; at most 8 presses. */
async function tabUntil(page: Page, key: string, done: (stop: string) => boolean): Promise<string[]> {
  const stops: string[] = [];
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press(key);
    stops.push(await focused(page));
    if (done(stops.at(-1) ?? '')) return stops;
  }
  throw new Error(`${key} never got there:\n${stops.join('\n')}`);
}

test('ending an edit gives focus back to the message', async () => {
  const page = await atChat();
  const coffee = message(page, /Coffee at 10\?/);
  const editor = page.getByRole('textbox', { name: 'Edit message' });

  await coffee.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('menuitem', { name: 'Edit' }).press('Enter');
  await expect(editor).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(editor).toBeHidden();
  await expect(coffee).toBeFocused();

  await page.keyboard.press('Enter');
  await page.getByRole('menuitem', { name: 'Edit' }).press('Enter');
  await editor.fill('Coffee at 10? ☕️');
  await page.keyboard.press('Enter');
  await expect(message(page, /Coffee at 10\? ☕️/)).toBeFocused();
});

test('a bare domain in a message is an https link', async () => {
  const page = await atChat();
  const link = messageLog(page).getByRole('link', { name: 'www.example.com/notes' });
  await expect(link).toHaveAttribute('href', 'https://www.example.com/notes');
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer');
});

test('on a phone, a swipe left on the messages shows every time; letting go hides them', async ({
  browser,
}) => {
  const phone = await signIn(browser, server.url, ada, { viewport: PHONE, hasTouch: true });
  people.push(phone);
  const page = phone.page;
  await openConversation(page, 'Grace Hopper');
  const times = messageLog(page).locator('time.message-row__time');
  await expect(times).toHaveCount(4);
  for (const time of await times.all()) await expect(time).not.toBeInViewport();

  const box = await messageLog(page).boundingBox();
  if (!box) throw new Error('no message list on screen');
  const y = box.y + box.height / 2;
  const cdp = await page.context().newCDPSession(page);
  const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', x: number) =>
    cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : [{ x, y }] });

  await touch('touchStart', 320);
  for (let x = 310; x >= 200; x -= 10) await touch('touchMove', x);
  for (const time of await times.all()) await expect(time).toBeInViewport({ ratio: 1 });
  // My bubbles made room: none overlaps its time.
  const mine = messageLog(page).locator('.bubble--mine').last();
  const mineBox = await mine.boundingBox();
  const timeBox = await timeOf(message(page, /Coffee at 10\?/)).boundingBox();
  expect((mineBox?.x ?? 0) + (mineBox?.width ?? 0)).toBeLessThanOrEqual(timeBox?.x ?? 0);

  await touch('touchEnd', 200);
  for (const time of await times.all()) await expect(time).not.toBeInViewport();
});

test('axe finds nothing serious on Details, a mention offer, Message info, search results and the list menu', async () => {
  // Ten axe passes in light and dark: CPU-bound, so a loaded machine needs more than the default time.
  test.slow();
  const page = await atChat();
  await startGroup(page, ['Grace Hopper', 'Alan Turing'], 'Grace, Alan');
  const setup = await openDetails(page);
  await setup.getByRole('textbox', { name: 'Group name' }).fill('Trip');
  await setup.getByRole('button', { name: 'Rename' }).click();
  await expect(setup.getByText('Trip', { exact: true })).toBeVisible();
  await page.keyboard.press('Escape');
  // Closing gives focus back to the button that opened it.
  await expect(page.getByRole('button', { name: 'Details', exact: true })).toBeFocused();
  await send(page, 'Who is in for Saturday?');

  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme });
    await page.goto(`${server.url}/#/`);
    await openConversation(page, 'Trip');
    await expect(messageLog(page).getByRole('note').first()).toBeVisible();
    await expectNoSeriousViolations(page, `group chat with system lines, ${colorScheme}`);

    const panel = await openDetails(page);
    await expect(panel.getByRole('list', { name: 'Members' }).getByRole('listitem')).toHaveCount(3);
    await expectNoSeriousViolations(page, `Details, ${colorScheme}`);
    await panel.getByRole('button', { name: 'Add people' }).click();
    await panel.getByRole('searchbox', { name: 'Search people' }).fill('Zed');
    await expect(panel.getByText('No one found.')).toBeVisible();
    await panel.getByRole('button', { name: 'Leave conversation' }).click();
    await expect(panel.getByRole('alertdialog')).toBeVisible();
    await expectNoSeriousViolations(page, `Details: adding, leaving, ${colorScheme}`);
    await panel.getByRole('alertdialog').getByRole('button', { name: 'Cancel' }).click();
    await panel.getByRole('button', { name: 'Done', exact: true }).click();

    await composer(page).pressSequentially('@');
    await expect(page.getByRole('listbox', { name: 'Mention' })).toBeVisible();
    await expectNoSeriousViolations(page, `mention offer, ${colorScheme}`);
    await composer(page).press('Escape');
    await composer(page).fill('');

    await messageAction(page, 'Who is in for Saturday?', 'Message info');
    await expect(page.getByRole('dialog', { name: 'Message info' })).toBeVisible();
    await expectNoSeriousViolations(page, `Message info, ${colorScheme}`);
    await page.keyboard.press('Escape');

    const search = page.getByRole('searchbox', { name: 'Search' });
    await search.fill('coffee');
    await expect(page.getByRole('region', { name: 'Messages found' }).locator('mark')).toHaveText(['Coffee']);
    await expectNoSeriousViolations(page, `search results, ${colorScheme}`);
    await search.fill('');

    await conversationLink(page, 'Alan Turing').click({ button: 'right' });
    const menu = page.getByRole('menu', { name: 'Conversation actions' });
    await expect(menu.getByRole('menuitem').first()).toBeFocused();
    await expectNoSeriousViolations(page, `list menu, ${colorScheme}`);
    await page.keyboard.press('ArrowDown');
    await expect(menu.getByRole('menuitem', { name: 'Mute for 1 hour' })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(menu).toBeHidden();
  }
});

test('axe finds nothing serious while the server is down: the banner and a message waiting to send', async () => {
  const page = await atChat();
  await server.stop();
  try {
    await expect(page.getByRole('status')).toContainText('Reconnecting');
    await send(page, 'Sent while the server is down');
    await expect(messageLog(page).getByText('Waiting to send', { exact: true })).toBeVisible();
    for (const colorScheme of SCHEMES) {
      await page.emulateMedia({ colorScheme });
      await expectNoSeriousViolations(page, `offline, waiting to send, ${colorScheme}`);
    }
  } finally {
    await server.start();
  }
  await expect(messageLog(page).locator('.bubble--pending')).toHaveCount(0, { timeout: 30_000 });
});

test('axe finds nothing serious on the composer with files and on the photo viewer, light and dark', async () => {
  for (const colorScheme of SCHEMES) {
    const page = await atChat(colorScheme);
    await pastePhotos(page, [{ name: 'engine.jpg', width: 900, height: 600, hue: 30 }]);
    await pasteBlob(page, 'table.csv', 2048, 'text/csv');
    const previews = page.getByRole('list', { name: 'Attachments' });
    await expect(previews.getByRole('listitem')).toHaveCount(2);
    await expectNoSeriousViolations(page, `composer with files, ${colorScheme}`);
    await page.getByRole('button', { name: 'Remove table.csv' }).click();
    if (colorScheme === 'light') {
      await page.getByRole('button', { name: 'Send' }).click();
    } else {
      await page.getByRole('button', { name: 'Remove engine.jpg' }).click();
    }
    await expect(previews).toBeHidden();

    const opener = messageLog(page).getByRole('button', { name: 'Open photo engine.jpg' });
    await opener.click();
    const viewer = page.getByRole('dialog', { name: 'engine.jpg' });
    await expect(viewer.getByRole('button', { name: 'Close' })).toBeFocused();
    await expectNoSeriousViolations(page, `photo viewer, ${colorScheme}`);
    await page.keyboard.press('Escape');
    await expect(viewer).toBeHidden();
    await expect(opener).toBeFocused();
  }
});
