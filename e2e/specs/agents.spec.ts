import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { E2eServer } from '../support/server';
import { expectNoSeriousViolations } from '../support/axe';
import { chatWindow, closeAll, messageLog, openConversation, send, signUp } from '../support/chat';
import type { Person } from '../support/chat';
import { SlowAgent } from '../support/slow-agent';

/*
 * Issue 10, acceptance 7: a person creates an agent on the Agents screen (its key shown once), starts
 * a group with a second person and the agent; the agent, a ChatClient with that key in this process,
 * answers by streaming a word every 100 ms; both people see the answer grow; one presses "Stop
 * generating" and both see the stopped answer. On the way, the README's screenshots of a streaming
 * answer and of the Agents screen (`UPDATE_SCREENSHOTS=1` writes them to docs/screenshots/, as
 * screenshots.spec.ts does) and axe on the Agents screen, the agent's status and the chat while it
 * streams, light and dark. Then an agent that goes away mid-answer: the answer ends "Interrupted".
 */

const OUT = fileURLToPath(
  new URL(
    process.env.UPDATE_SCREENSHOTS === '1' ? '../../docs/screenshots/' : '../artifacts/screenshots/',
    import.meta.url,
  ),
);
const QUESTION = 'Why are there two high tides a day?';
const ANSWER = (
  'The Moon pulls hardest on the ocean facing it and least on the far side, so the water ' +
  'bulges in two places at once: toward the Moon and away from it. As the Earth turns under ' +
  'both bulges every day, each coast passes through two highs and two lows, about twelve ' +
  'hours and twenty-five minutes apart, because the Moon moves on a little each day. The Sun ' +
  'adds its own smaller pull: when the two line up at new and full moon the tides are largest, ' +
  'the spring tides, and at the quarters they partly cancel into the gentler neap tides. Local ' +
  'coastlines, the depth of the sea floor and the shape of bays then stretch or squeeze the ' +
  'bulges, which is why some harbours see a few centimetres and others many metres.'
).split(' ');

let server: E2eServer;
let people: Person[] = [];
let agent: SlowAgent | undefined;

test.beforeAll(async () => {
  server = new E2eServer();
  people = [];
  await server.start();
  mkdirSync(OUT, { recursive: true });
});
test.afterAll(async () => {
  agent?.stop();
  await closeAll(people);
  await server.dispose();
});

/** The streaming answer's bubble (one at a time here). */
function streamingBubble(page: Page): Locator {
  return messageLog(page).locator('.bubble--streaming');
}

async function textLength(bubble: Locator): Promise<number> {
  return (await bubble.innerText()).length;
}

test('an agent streams an answer to a group; both people see it grow; Stop generating stops it for both', async ({
  browser,
}) => {
  // Two people, an agent, three axe runs and a 100 ms stream: more than the default on a busy machine.
  test.setTimeout(300_000);
  const ada = await signUp(browser, server.url, 'Ada Lovelace');
  const grace = await signUp(browser, server.url, 'Grace Hopper');
  people.push(ada, grace);
  const [a, g] = [ada.page, grace.page];

  // Ada creates the agent on the Agents screen: its key is shown once.
  await a.getByRole('button', { name: 'Agents', exact: true }).click();
  const screen = a.getByRole('dialog', { name: 'Agents' });
  await expect(screen.getByText('You have no agents yet.')).toBeVisible();
  await screen.getByRole('button', { name: 'Create agent' }).click();
  await screen.getByRole('textbox', { name: 'Display name' }).fill('Assistant');
  await screen.getByRole('textbox', { name: 'Description' }).fill('Answers questions about the sea');
  await screen.getByRole('button', { name: 'Create', exact: true }).click();
  const reveal = screen.getByRole('region', { name: 'Assistant is ready' });
  await expect(reveal.getByText(/you will not see it again/u)).toBeVisible();
  const apiKey = await reveal.getByRole('textbox', { name: 'API key' }).inputValue();
  expect(apiKey).toMatch(/^chat_ak_/u);
  await expect(reveal.getByRole('textbox', { name: 'Webhook secret' })).toHaveValue(/^whsec_/u);
  await a.mouse.move(0, 0);
  await a.screenshot({
    path: `${OUT}agents-desktop-light.png`,
    caret: 'hide',
    animations: 'disabled',
    timeout: 60_000,
  });
  await expectNoSeriousViolations(a, 'Agents screen with a new key');
  await reveal.getByRole('button', { name: 'I saved it' }).click();
  await expect(screen.getByRole('textbox', { name: 'API key' })).toBeHidden();
  await expect(screen.getByRole('article', { name: 'Assistant' })).toBeVisible();
  await expectNoSeriousViolations(a, 'Agents screen');
  await a.emulateMedia({ colorScheme: 'dark' });
  await expectNoSeriousViolations(a, 'Agents screen, dark');
  await a.emulateMedia({ colorScheme: 'light' });
  await screen.getByRole('button', { name: 'Done' }).click();
  await expect(screen).toBeHidden();

  // A group with Grace and the agent, found by the people search with its AI badge.
  await a.getByRole('button', { name: 'New conversation' }).click();
  const dialog = a.getByRole('dialog', { name: 'New conversation' });
  await dialog.getByRole('searchbox', { name: 'Search people' }).fill('Grace');
  await dialog.getByRole('button', { name: 'Grace Hopper', exact: true }).click();
  await dialog.getByRole('searchbox', { name: 'Search people' }).fill('Assistant');
  const found = dialog.getByRole('button', { name: 'Assistant', exact: true });
  await expect(found.getByRole('img', { name: 'AI agent' })).toBeVisible();
  await found.click();
  await dialog.getByRole('textbox', { name: 'Group title' }).fill('Tide tables');
  await dialog.getByRole('button', { name: 'Start conversation' }).click();
  await expect(chatWindow(a, 'Tide tables')).toBeVisible();
  const conversationId = new URL(a.url()).hash.replace('#/c/', '');
  await openConversation(g, 'Tide tables');

  agent = await SlowAgent.create({
    url: server.url.replace(/^http/u, 'ws') + '/ws',
    apiKey,
    // Said twenty times over (some four minutes, 13,000 characters): it is stopped long before the
    // end, however slow the machine (axe and screenshots on a busy one take many seconds).
    words: Array.from({ length: 20 }, () => ANSWER).flat(),
    intervalMs: 100,
    statusDetail: 'reading the tide tables',
  });
  await agent.join(conversationId);

  await send(g, 'Ada, ask the assistant, it knows the sea.');
  await send(a, QUESTION);

  // Its status, on both screens, like a typing bubble.
  for (const page of [a, g]) {
    await expect(messageLog(page).getByText('Assistant: reading the tide tables')).toBeVisible();
  }
  await expectNoSeriousViolations(g, 'chat with an agent status');
  agent.begin();

  // The answer grows on both screens.
  for (const page of [a, g]) {
    await expect(streamingBubble(page)).toContainText('The Moon pulls');
    await expect(messageLog(page).getByText('Assistant: reading the tide tables')).toBeHidden();
  }
  for (const page of [a, g]) {
    const before = await textLength(streamingBubble(page));
    await expect.poll(() => textLength(streamingBubble(page))).toBeGreaterThan(before);
  }
  await expect(streamingBubble(g).locator('xpath=ancestor::*[@role="article"]')).toHaveAttribute(
    'aria-busy',
    'true',
  );
  // The sender's name carries the AI badge (a group shows names).
  await expect(messageLog(g).locator('.message-row__sender', { hasText: 'Assistant' }).first()).toContainText(
    'AI',
  );

  await expect(streamingBubble(a)).toContainText('bulges');
  await a.mouse.move(0, 0);
  await a.screenshot({
    path: `${OUT}streaming-desktop-light.png`,
    caret: 'hide',
    animations: 'disabled',
    timeout: 60_000,
  });
  await expectNoSeriousViolations(a, 'chat with a streaming answer');
  await g.emulateMedia({ colorScheme: 'dark' });
  await expectNoSeriousViolations(g, 'chat with a streaming answer, dark');

  // Ada stops it: the button says so at once, Grace's screen follows.
  await a.getByRole('button', { name: 'Stop generating' }).click();
  const ended = await agent.nextEnded();
  expect(ended.state).toBe('stopped');
  expect(ended.text.split(' ').length).toBeLessThan(20 * ANSWER.length);
  for (const page of [a, g]) {
    await expect(messageLog(page).getByText('Stopped', { exact: true })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Stop generating' })).toHaveCount(0);
    await expect(streamingBubble(page)).toHaveCount(0);
    await expect(
      messageLog(page).locator('.bubble__text').getByText(ended.text, { exact: true }),
    ).toBeVisible();
  }

  // A reload shows the stored, stopped answer.
  await g.reload();
  await expect(messageLog(g).locator('.bubble__text').getByText(ended.text, { exact: true })).toBeVisible();
  await expect(messageLog(g).getByText('Stopped', { exact: true })).toBeVisible();
});

test('an agent that goes away mid-answer leaves an Interrupted answer in a 1:1', async ({ browser }) => {
  test.setTimeout(180_000);
  const katherine = await signUp(browser, server.url, 'Katherine Johnson');
  people.push(katherine);
  const k = katherine.page;

  await k.getByRole('button', { name: 'Agents', exact: true }).click();
  const screen = k.getByRole('dialog', { name: 'Agents' });
  await screen.getByRole('button', { name: 'Create agent' }).click();
  await screen.getByRole('textbox', { name: 'Display name' }).fill('Navigator');
  await screen.getByRole('button', { name: 'Create', exact: true }).click();
  const apiKey = await screen.getByRole('textbox', { name: 'API key' }).inputValue();
  await screen.getByRole('button', { name: 'I saved it' }).click();
  // A webhook on a loopback address: the server's 400 says why.
  const card = screen.getByRole('article', { name: 'Navigator' });
  await card.getByRole('textbox', { name: 'Webhook URL' }).fill('http://127.0.0.1:9/hook');
  await card.getByRole('button', { name: 'Save webhook' }).click();
  await expect(card.getByRole('alert')).toHaveText(/public addresses only/u);
  await screen.getByRole('button', { name: 'Done' }).click();

  // A 1:1 with the agent: its header and its list entry say it is one.
  await k.getByRole('button', { name: 'New conversation' }).click();
  const dialog = k.getByRole('dialog', { name: 'New conversation' });
  await dialog.getByRole('searchbox', { name: 'Search people' }).fill('Navigator');
  await dialog.getByRole('button', { name: 'Navigator', exact: true }).click();
  await dialog.getByRole('button', { name: 'Start conversation' }).click();
  const chat = chatWindow(k, 'Navigator');
  await expect(chat).toBeVisible();
  await expect(chat.getByText('AI agent', { exact: true })).toBeVisible();
  await expect(
    k.getByRole('navigation', { name: 'Conversations' }).getByRole('link', { name: 'Navigator' }),
  ).toHaveAccessibleDescription(/AI agent/u);
  const conversationId = new URL(k.url()).hash.replace('#/c/', '');

  const navigatorAgent = await SlowAgent.create({
    url: server.url.replace(/^http/u, 'ws') + '/ws',
    apiKey,
    words: Array.from({ length: 20 }, () => ANSWER).flat(),
    intervalMs: 100,
    statusDetail: 'plotting the course',
  });
  try {
    await navigatorAgent.join(conversationId);
    navigatorAgent.begin();
    await send(k, 'How far is the Moon?');
    await expect(streamingBubble(k)).toContainText('The Moon pulls hardest');
    navigatorAgent.crash();
    const partial = messageLog(k).locator('.bubble__text').filter({ hasText: 'The Moon pulls hardest' });
    await expect(messageLog(k).getByText('Interrupted', { exact: true })).toBeVisible();
    await expect(streamingBubble(k)).toHaveCount(0);
    await expect(k.getByRole('button', { name: 'Stop generating' })).toHaveCount(0);
    await expect(partial).toBeVisible();
    expect(navigatorAgent.wordsStreamed).toBeLessThan(20 * ANSWER.length);
  } finally {
    navigatorAgent.stop();
  }
});
