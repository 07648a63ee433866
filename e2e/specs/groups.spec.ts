import { expect, test } from '@playwright/test';
import { E2eServer } from '../support/server';
import {
  bubble,
  chatWindow,
  closeAll,
  closeConversation,
  composer,
  conversationLink,
  messageAction,
  messageLog,
  openConversation,
  openDetails,
  send,
  signUp,
  startGroup,
  systemLine,
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

test('three people run a group: rename, Read by, a mention, remove, add back, leave, each screen live', async ({
  browser,
}) => {
  const ada = await signUp(browser, server.url, 'Ada Lovelace');
  const grace = await signUp(browser, server.url, 'Grace Hopper');
  const alan = await signUp(browser, server.url, 'Alan Turing');
  people = [ada, grace, alan];
  const [a, g, l] = [ada.page, grace.page, alan.page];

  await startGroup(a, ['Grace Hopper', 'Alan Turing'], 'Grace, Alan');
  await openConversation(g, 'Ada, Alan');

  // Rename: every screen has the new name and the line saying who did it.
  let panel = await openDetails(a);
  await panel.getByRole('textbox', { name: 'Group name' }).fill('Trip');
  await panel.getByRole('button', { name: 'Rename' }).click();
  await expect(panel.getByText('Trip', { exact: true })).toBeVisible();
  await panel.getByRole('button', { name: 'Done' }).click();
  await expect(panel).toBeHidden();
  await expect(chatWindow(a, 'Trip')).toBeVisible();
  await expect(systemLine(a, 'You named the conversation “Trip”')).toBeVisible();
  await expect(chatWindow(g, 'Trip')).toBeVisible();
  await expect(systemLine(g, 'Ada Lovelace named the conversation “Trip”')).toBeVisible();
  await expect(conversationLink(l, 'Trip')).toBeVisible();

  // "Read by": Grace has it open, Alan not yet; then Alan opens it.
  await send(a, 'Who is in for Saturday?');
  await expect(await bubble(g, 'Who is in for Saturday?')).toBeVisible();
  await expect(messageLog(a).getByText('Read by Grace', { exact: true })).toBeVisible();
  await openConversation(l, 'Trip');
  await expect(messageLog(a).getByText('Read by 2 of 2', { exact: true })).toBeVisible();
  await messageAction(a, 'Who is in for Saturday?', 'Message info');
  const info = a.getByRole('dialog', { name: 'Message info' });
  await expect(info.getByRole('region', { name: 'Read by' }).getByRole('listitem')).toHaveText([
    /Grace Hopper|Alan Turing/u,
    /Grace Hopper|Alan Turing/u,
  ]);
  await info.getByRole('button', { name: 'Done' }).click();
  await expect(info).toBeHidden();

  // A mention: Grace types "@Al", picks Alan with the keyboard; Alan, on his list, sees "@".
  await closeConversation(l);
  await composer(g).pressSequentially('@Al');
  const offer = g.getByRole('listbox', { name: 'Mention' });
  await expect(offer.getByRole('option', { name: 'Alan Turing' })).toBeVisible();
  await composer(g).press('Enter');
  await expect(composer(g)).toHaveValue('@Alan Turing ');
  await composer(g).pressSequentially('can you book the train?');
  await composer(g).press('Enter');
  await expect(composer(g)).toHaveValue('');
  const row = conversationLink(l, 'Trip');
  await expect(row).toHaveAccessibleDescription(/mentioned you/u);
  await expect(row.locator('.conversation-row__mention')).toBeVisible();
  await openConversation(l, 'Trip');
  // Opened with an unread message: it sits under "New messages".
  await expect(messageLog(l).getByRole('separator', { name: 'New messages' })).toBeVisible();
  const mention = (await bubble(l, '@Alan Turing can you book the train?')).locator('.mention');
  await expect(mention).toHaveText('@Alan Turing');
  await expect(row).not.toHaveAccessibleDescription(/mentioned you/u);

  // Ada (admin) removes Alan: his list loses it, his open chat says so, the others see the line.
  panel = await openDetails(a);
  await expect(panel.getByRole('list', { name: 'Members' }).getByRole('listitem')).toHaveCount(3);
  await expect(panel.getByText('Admin', { exact: true })).toBeVisible();
  await panel.getByRole('button', { name: 'Remove Alan Turing' }).click();
  await expect(panel.getByRole('list', { name: 'Members' }).getByRole('listitem')).toHaveCount(2);
  await expect(conversationLink(l, 'Trip')).toBeHidden();
  await expect(l.getByText('You are not a member of this conversation.')).toBeVisible();
  await expect(systemLine(g, 'Ada Lovelace removed Alan Turing')).toBeVisible();
  await l.reload();
  await expect(l.getByText('You are not a member of this conversation.')).toBeVisible();
  await expect(messageLog(l)).toBeHidden();

  // Ada adds him back with the people search: his list has it again, with the history.
  await panel.getByRole('button', { name: 'Add people' }).click();
  await panel.getByRole('searchbox', { name: 'Search people' }).fill('Alan');
  await panel.getByRole('button', { name: 'Alan Turing', exact: true }).click();
  await expect(panel.getByRole('list', { name: 'Members' }).getByRole('listitem')).toHaveCount(3);
  await panel.getByRole('button', { name: 'Done', exact: true }).click();
  await expect(panel).toBeHidden();
  await expect(systemLine(g, 'Ada Lovelace added Alan Turing')).toBeVisible();
  await openConversation(l, 'Trip');
  await expect(await bubble(l, 'Who is in for Saturday?')).toBeVisible();

  // Grace leaves, after a confirmation; her list no longer has it, the others see "Grace left".
  panel = await openDetails(g);
  await panel.getByRole('button', { name: 'Leave conversation' }).click();
  const confirm = panel.getByRole('alertdialog', { name: 'Leave “Trip”?' });
  await confirm.getByRole('button', { name: 'Leave', exact: true }).click();
  await expect(conversationLink(g, 'Trip')).toBeHidden();
  await expect(messageLog(g)).toBeHidden();
  await expect(systemLine(a, 'Grace Hopper left')).toBeVisible();
  await expect(systemLine(l, 'Grace Hopper left')).toBeVisible();
  await expect(chatWindow(a, 'Trip').getByText('2 people')).toBeVisible();

  for (const person of people) expect(person.dialogs).toEqual([]);
});
