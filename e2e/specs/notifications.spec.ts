import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { E2eServer } from '../support/server';
import {
  closeAll,
  composer,
  conversationLink,
  openConversation,
  send,
  signUp,
  startConversation,
  startGroup,
  waitForOfflineShell,
} from '../support/chat';
import type { Person } from '../support/chat';

/*
 * Issue 9, acceptance 3 (notifications), in a real Chromium against the real server: nothing
 * asks for permission on load and "Turn on notifications" is a visible control; with the
 * permission granted and the page hidden, the app tells the server (client_state visible:false),
 * a message from the other person raises a notification through the service worker with the
 * sender and the text, and the title counts it (the open conversation too); a muted
 * conversation raises none unless the message mentions me.
 *
 * Playwright cannot minimise a page: `document.visibilityState` / `document.hidden` are
 * overridden and `visibilitychange` dispatched, which is all the app listens to.
 */

let server: E2eServer;
let people: Person[] = [];

test.beforeAll(async () => {
  server = new E2eServer();
  people = [];
  await server.start();
});
test.afterAll(async () => {
  await closeAll(people);
  await server.dispose();
});

/** Counts permission requests and records every client_state frame, from before the app's first script. */
const RECORDER = `
  window.__asked = 0;
  window.__states = [];
  if (typeof Notification !== 'undefined') {
    const request = Notification.requestPermission.bind(Notification);
    // The prompt stays open until the test answers it (window.__answer), as a person would.
    Notification.requestPermission = (...args) => {
      window.__asked += 1;
      return new Promise((resolve) => {
        window.__answer = () => resolve(request(...args));
      });
    };
  }
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    try {
      const frame = JSON.parse(data);
      if (frame.type === 'client_state') window.__states.push(frame.visible);
    } catch {}
    return send.call(this, data);
  };
`;

async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate(`(() => {
    const hidden = ${String(hidden)};
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
    document.dispatchEvent(new Event('visibilitychange'));
  })()`);
  // The app told the server, so that it pushes only while no page is in view.
  await expect.poll(() => page.evaluate('window.__states[window.__states.length - 1]')).toBe(!hidden);
}

/** The notifications the service worker's registration shows, as "title | body". */
function notifications(page: Page): Promise<string[]> {
  return page.evaluate(
    'navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((list) => list.map((n) => n.title + " | " + n.body))',
  ) as Promise<string[]>;
}

async function clearNotifications(page: Page): Promise<void> {
  await page.evaluate(
    'navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((list) => list.forEach((n) => n.close()))',
  );
  await expect.poll(() => notifications(page)).toEqual([]);
}

test('a hidden page: a notification with the sender and text, a title count; muted only when mentioned', async ({
  browser,
}) => {
  const ada = await signUp(browser, server.url, 'Ada Lovelace');
  const grace = await signUp(browser, server.url, 'Grace Hopper');
  const alan = await signUp(browser, server.url, 'Alan Turing');
  people.push(ada, grace, alan);
  const a = ada.page;
  const g = grace.page;

  // Never asked on load: a visible control asks instead.
  await ada.context.addInitScript(RECORDER);
  await a.reload();
  const turnOn = a.getByRole('button', { name: 'Turn on notifications' });
  await expect(turnOn).toBeVisible();
  expect(await a.evaluate('window.__asked')).toBe(0);
  // client_state goes out after authentication, which may come after the control shows.
  await expect.poll(() => a.evaluate('window.__states')).toEqual([true]);

  // The control asks once, when clicked; the person grants it at the prompt. (Granted before
  // the click, the permission's change event could turn the control on before the click landed.)
  await turnOn.click();
  await expect.poll(() => a.evaluate('window.__asked')).toBe(1);
  await ada.context.grantPermissions(['notifications'], { origin: server.url });
  await a.evaluate('window.__answer()');
  const bar = a.getByRole('region', { name: 'Notifications' });
  await expect(bar.getByText('Notifications are on')).toBeVisible();
  await expect(bar.getByRole('switch', { name: 'Notifications' })).toHaveAttribute('aria-checked', 'true');
  expect(await a.evaluate('window.__asked')).toBe(1);
  await waitForOfflineShell(a);

  // Grace writes; Ada reads it with the conversation open, then the page goes out of view.
  await startConversation(g, 'Ada Lovelace');
  await send(g, 'Hello Ada');
  await openConversation(a, 'Grace Hopper');
  await expect(a).toHaveTitle('Messages');
  await setHidden(a, true);

  await send(g, 'Are you there?');
  await expect.poll(() => notifications(a)).toEqual(['Grace Hopper | Are you there?']);
  // The open conversation counts while nobody looks at it.
  await expect(a).toHaveTitle('(1) Messages');

  // Back in view: read, the count goes. Grace starts a group (mentions live in groups); Ada mutes it.
  await setHidden(a, false);
  await expect(a).toHaveTitle('Messages');
  await clearNotifications(a);
  await startGroup(g, ['Ada Lovelace', 'Alan Turing'], 'Ada, Alan');
  await send(g, 'Plans for Saturday');
  await conversationLink(a, 'Grace, Alan').click({ button: 'right' });
  const menu = a.getByRole('menu', { name: 'Conversation actions' });
  await menu.getByRole('menuitem', { name: 'Mute for 8 hours', exact: true }).click();
  await expect(conversationLink(a, 'Grace, Alan')).toHaveAccessibleDescription(/muted/u);
  await setHidden(a, true);

  // Muted: nothing; the mention that follows is the checkpoint (it notifies, alone).
  await send(g, 'Just chatting');
  await composer(g).pressSequentially('@Ad');
  await expect(
    g.getByRole('listbox', { name: 'Mention' }).getByRole('option', { name: 'Ada Lovelace' }),
  ).toBeVisible();
  await composer(g).press('Enter');
  await composer(g).pressSequentially('look at this');
  await g.getByRole('button', { name: 'Send' }).click();
  await expect
    .poll(() => notifications(a))
    .toEqual(['Grace, Alan | Grace Hopper: @Ada Lovelace look at this']);
  expect(ada.dialogs).toEqual([]);
});
