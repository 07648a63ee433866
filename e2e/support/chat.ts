import { expect } from '@playwright/test';
import type { Browser, BrowserContext, Dialog, Locator, Page } from '@playwright/test';

/**
 * What a person does in the web app, by the accessible names apps/web/README.md
 * promises (labels, roles, button names), so the specs read like the product.
 */

let counter = 0;

/** An e-mail address no other test (or earlier run on the same server) has used. */
export function uniqueEmail(name: string): string {
  counter += 1;
  const local = name
    .toLowerCase()
    .replace(/[^a-z]+/gu, '.')
    .replace(/^\.|\.$/gu, '');
  return `${local}.${Date.now().toString(36)}${counter}@example.com`;
}

export interface Person {
  name: string;
  email: string;
  password: string;
  context: BrowserContext;
  page: Page;
  /** Every dialog (alert, confirm, prompt) the page opened: a message must never open one. */
  dialogs: string[];
}

export interface OpenOptions {
  viewport?: { width: number; height: number };
  colorScheme?: 'light' | 'dark';
  /** A touch screen (a phone): touch events, and pointer events of type "touch". */
  hasTouch?: boolean;
}

/** A person in a browser context of their own (own storage, own service worker), on the app. */
export async function openApp(browser: Browser, url: string, options: OpenOptions = {}) {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 800 },
    colorScheme: options.colorScheme ?? 'light',
    hasTouch: options.hasTouch ?? false,
  });
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (dialog: Dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss().catch(() => undefined);
  });
  await page.goto(url);
  return { context, page, dialogs };
}

/** Opens the app in a new context and signs up there; resolves once the conversation list shows. */
export async function signUp(
  browser: Browser,
  url: string,
  name: string,
  options: OpenOptions = {},
): Promise<Person> {
  const { context, page, dialogs } = await openApp(browser, url, options);
  const email = uniqueEmail(name);
  const password = 'correct horse battery staple';
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByLabel('Display name').fill(name);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByRole('button', { name: 'New conversation' })).toBeVisible();
  return { name, email, password, context, page, dialogs };
}

/** The same person in another browser context (another device); resolves once the list shows. */
export async function signIn(
  browser: Browser,
  url: string,
  person: Person,
  options: OpenOptions = {},
): Promise<Person> {
  const { context, page, dialogs } = await openApp(browser, url, options);
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'New conversation' })).toBeVisible();
  return { ...person, context, page, dialogs };
}

/** "New conversation", search the other person, pick them, "Start conversation": the chat opens. */
export async function startConversation(page: Page, other: string): Promise<void> {
  await page.getByRole('button', { name: 'New conversation' }).click();
  const dialog = page.getByRole('dialog', { name: 'New conversation' });
  await dialog.getByRole('searchbox', { name: 'Search people' }).fill(other);
  await dialog.getByRole('button', { name: other, exact: true }).click();
  await dialog.getByRole('button', { name: 'Start conversation' }).click();
  await expect(dialog).toBeHidden();
  await expect(chatWindow(page, other)).toBeVisible();
}

/** "New conversation" with several people (each searched, then picked): the group opens. */
export async function startGroup(page: Page, others: readonly string[], title: string): Promise<void> {
  await page.getByRole('button', { name: 'New conversation' }).click();
  const dialog = page.getByRole('dialog', { name: 'New conversation' });
  for (const other of others) {
    await dialog.getByRole('searchbox', { name: 'Search people' }).fill(other);
    await dialog.getByRole('button', { name: other, exact: true }).click();
  }
  await dialog.getByRole('button', { name: 'Start conversation' }).click();
  await expect(dialog).toBeHidden();
  await expect(chatWindow(page, title)).toBeVisible();
}

/** The chat header's "Details" panel (a dialog). */
export async function openDetails(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'Details', exact: true }).click();
  const panel = page.getByRole('dialog', { name: 'Details' });
  await expect(panel).toBeVisible();
  return panel;
}

/** The centred grey line of a system message. */
export function systemLine(page: Page, text: string): Locator {
  return messageLog(page).getByRole('note').filter({ hasText: text });
}

/** Back to the list alone (no conversation open), as the browser's Back would. */
export async function closeConversation(page: Page): Promise<void> {
  await page.evaluate("location.hash = '#/'");
  await expect(messageLog(page)).toBeHidden();
}

/** Opens a conversation from the list (entries are links named by the other person's name). */
export async function openConversation(page: Page, title: string): Promise<void> {
  await conversationLink(page, title).click();
  await expect(chatWindow(page, title)).toBeVisible();
}

export function conversationLink(page: Page, title: string): Locator {
  return page
    .getByRole('navigation', { name: 'Conversations' })
    .getByRole('link', { name: title, exact: true });
}

export function chatWindow(page: Page, title: string): Locator {
  return page.getByRole('region', { name: `Conversation with ${title}` });
}

/** The conversation's messages (role log). */
export function messageLog(page: Page): Locator {
  return page.getByRole('log', { name: 'Messages' });
}

export function composer(page: Page): Locator {
  return page.getByRole('textbox', { name: 'Message' });
}

/** Types a message and presses "Send". */
export async function send(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(composer(page)).toHaveValue('');
}

/** The bubbles whose whole text is `text` (a pending send and its stored message are one bubble). */
export function bubbles(page: Page, text: string): Locator {
  return messageLog(page)
    .locator('.bubble')
    .filter({ has: page.locator('.bubble__text').getByText(text, { exact: true }) });
}

/** The one bubble with this text, checked to be exactly one. */
export async function bubble(page: Page, text: string): Promise<Locator> {
  const found = bubbles(page, text);
  await expect(found).toHaveCount(1);
  return found;
}

/** Opens the message menu of a bubble (right-click, as on a desktop) and picks an item. */
export async function messageAction(page: Page, text: string, item: string): Promise<void> {
  const target = await bubble(page, text);
  await target.click({ button: 'right' });
  const menu = page.getByRole('menu', { name: 'Message actions' });
  await expect(menu).toBeVisible();
  const option = menu.getByRole('menuitem', { name: item, exact: true });
  const tapback = menu.getByRole('menuitemcheckbox', { name: item, exact: true });
  await option.or(tapback).click();
  await expect(menu).toBeHidden();
}

/** A 1:1's read receipt: "Read", or "Read 9:41 AM" when the screen saw it happen. */
export const READ_RECEIPT = /^Read( \d{1,2}:\d{2}(\s?[AP]M)?)?$/u;

/** The connection banner (role status) shown while the connection is not usable. */
export function connectionBanner(page: Page): Locator {
  return page.getByRole('status');
}

export async function closeAll(people: readonly (Person | undefined)[]): Promise<void> {
  await Promise.all(people.map((person) => person?.context.close().catch(() => undefined)));
}

/**
 * Waits until the app's service worker controls the page: from then on a reload works with the
 * server down (the worker serves the app shell). Evaluated as a string: e2e is type-checked
 * without the DOM library.
 */
export async function waitForOfflineShell(page: Page): Promise<void> {
  await expect
    .poll(() =>
      page.evaluate('navigator.serviceWorker.ready.then(() => navigator.serviceWorker.controller !== null)'),
    )
    .toBe(true);
}
