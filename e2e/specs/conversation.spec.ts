import { expect, test } from '@playwright/test';
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
  send,
  signUp,
  startConversation,
  READ_RECEIPT,
} from '../support/chat';
import type { Person } from '../support/chat';

let server: E2eServer;
let ada: Person | undefined;
let grace: Person | undefined;

test.beforeAll(async () => {
  server = new E2eServer();
  await server.start();
});
test.afterAll(async () => {
  await closeAll([ada, grace]);
  await server.dispose();
});

test('two people chat live: typing, Read, tapback, edit, unsend, and the same history after a reload', async ({
  browser,
}) => {
  ada = await signUp(browser, server.url, 'Ada Lovelace');
  grace = await signUp(browser, server.url, 'Grace Hopper');
  const a = ada.page;
  const g = grace.page;

  // Ada starts the conversation; it appears in Grace's list at once.
  await startConversation(a, 'Grace Hopper');
  await openConversation(g, 'Ada Lovelace');

  // Typing shows as a bubble on the other side, and goes when the message lands.
  await composer(a).pressSequentially('Hello Grace');
  await expect(messageLog(g).getByRole('img', { name: 'Ada Lovelace is typing' })).toBeVisible();
  await send(a, 'Hello Grace, are you free for a call?');
  await expect(await bubble(g, 'Hello Grace, are you free for a call?')).toBeVisible();
  await expect(messageLog(g).getByRole('img', { name: 'Ada Lovelace is typing' })).toBeHidden();

  // Grace has it on screen: Ada sees Read under her message.
  await expect(messageLog(a).getByText(READ_RECEIPT)).toBeVisible();

  // And back.
  await composer(g).pressSequentially('Yes');
  await expect(messageLog(a).getByRole('img', { name: 'Grace Hopper is typing' })).toBeVisible();
  await send(g, 'Yes, in ten minutes!');
  await expect(await bubble(a, 'Yes, in ten minutes!')).toBeVisible();
  await expect(messageLog(g).getByText(READ_RECEIPT)).toBeVisible();

  // A tapback from Grace on Ada's message shows on both sides.
  await messageAction(g, 'Hello Grace, are you free for a call?', 'Love');
  await expect(messageLog(a).getByRole('button', { name: 'Reactions: Love 1: Grace Hopper' })).toBeVisible();
  await expect(messageLog(g).getByRole('button', { name: 'Reactions: Love 1: You' })).toBeVisible();

  // Ada edits her message: the new text and "Edited" on both sides.
  await messageAction(a, 'Hello Grace, are you free for a call?', 'Edit');
  const editor = a.getByRole('textbox', { name: 'Edit message' });
  await editor.fill('Hello Grace, are you free for a quick call?');
  await editor.press('Enter');
  for (const page of [a, g]) {
    await expect(await bubble(page, 'Hello Grace, are you free for a quick call?')).toBeVisible();
    await expect(messageLog(page).getByText('Edited', { exact: true })).toBeVisible();
    await expect(messageLog(page).getByText('Hello Grace, are you free for a call?')).toHaveCount(0);
  }

  // Ada sends something by mistake and unsends it.
  await send(a, 'Sorry, wrong chat');
  await expect(await bubble(g, 'Sorry, wrong chat')).toBeVisible();
  await messageAction(a, 'Sorry, wrong chat', 'Unsend');
  await expect(messageLog(a).getByText('You unsent a message', { exact: true })).toBeVisible();
  await expect(messageLog(g).getByText('Ada Lovelace unsent a message', { exact: true })).toBeVisible();
  for (const page of [a, g]) await expect(messageLog(page).getByText('Sorry, wrong chat')).toHaveCount(0);

  // A reload shows the same history, from the server.
  await a.reload();
  await expect(conversationLink(a, 'Grace Hopper')).toBeVisible();
  await expect(chatWindow(a, 'Grace Hopper')).toBeVisible();
  const log = messageLog(a);
  await expect(await bubble(a, 'Hello Grace, are you free for a quick call?')).toBeVisible();
  await expect(await bubble(a, 'Yes, in ten minutes!')).toBeVisible();
  await expect(log.getByText('Edited', { exact: true })).toBeVisible();
  await expect(log.getByRole('button', { name: 'Reactions: Love 1: Grace Hopper' })).toBeVisible();
  await expect(log.getByText('You unsent a message', { exact: true })).toBeVisible();
  await expect(log.getByText('Sorry, wrong chat')).toHaveCount(0);
  await expect(log.locator('.bubble__text')).toHaveText([
    'Hello Grace, are you free for a quick call?',
    'Yes, in ten minutes!',
  ]);

  expect(ada.dialogs).toEqual([]);
  expect(grace.dialogs).toEqual([]);
});
