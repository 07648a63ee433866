import { expect, test } from '@playwright/test';
import type { Browser, Page } from '@playwright/test';
import { E2eServer } from '../support/server';
import {
  closeAll,
  composer,
  connectionBanner,
  messageLog,
  openConversation,
  signUp,
  startConversation,
  waitForOfflineShell,
} from '../support/chat';
import type { Person } from '../support/chat';
import { dropTextFile, naturalWidth, pasteBlob, pastePhotos } from '../support/files';

/*
 * Issue 9, attachments in the app (docs/protocol.md section 11), on the real server: a pasted
 * photo goes out and the other person opens it full size; several photos in a grid with the
 * viewer's arrows; a dropped file as a card with its download; a 30 MB file refused with a
 * clear message; a photo queued while the server is down sent once when it is back.
 */

let server: E2eServer;
let people: Person[] = [];

test.beforeAll(async () => {
  server = new E2eServer();
  await server.start();
});
test.afterEach(async () => {
  await closeAll(people);
  people = [];
  await server.start();
});
test.afterAll(async () => {
  await server.dispose();
});

/** Two new people (named apart per test: the server is shared) in a 1:1, both on it. */
async function pair(browser: Browser, n: number): Promise<{ a: Page; g: Page; ada: string }> {
  const adaName = `Ada Lovelace ${n}`;
  const graceName = `Grace Hopper ${n}`;
  const ada = await signUp(browser, server.url, adaName);
  const grace = await signUp(browser, server.url, graceName);
  people.push(ada, grace);
  await startConversation(ada.page, graceName);
  await openConversation(grace.page, adaName);
  return { a: ada.page, g: grace.page, ada: adaName };
}

const send = (page: Page) => page.getByRole('button', { name: 'Send' }).click();
const photoButton = (page: Page, name: string) =>
  messageLog(page).getByRole('button', { name: `Open photo ${name}` });

test('a pasted photo is sent; the other person sees the thumbnail and opens the full image', async ({
  browser,
}) => {
  const { a, g } = await pair(browser, 1);
  await pastePhotos(a, [{ name: 'pier.jpg', width: 1200, height: 800 }]);
  const previews = a.getByRole('list', { name: 'Attachments' });
  await expect(previews.getByText('pier.jpg')).toBeVisible();
  await expect(previews.getByRole('button', { name: 'Remove pier.jpg' })).toBeVisible();
  await composer(a).fill('Sunset from the pier');
  await send(a);
  await expect(previews).toBeHidden();

  // Grace: the thumbnail (not the original), at the photo's aspect ratio.
  const opener = photoButton(g, 'pier.jpg');
  await expect(opener).toBeVisible();
  const thumbnail = opener.getByRole('img', { name: 'pier.jpg' });
  await expect(thumbnail).toHaveAttribute('src', /\/api\/attachments\/[0-9a-f-]+\/thumbnail\?sig=/);
  await expect.poll(() => naturalWidth(thumbnail)).toBe(512);
  const box = await opener.boundingBox();
  expect(Math.abs(box!.width / box!.height - 1.5)).toBeLessThan(0.02);
  await expect(messageLog(g).getByText('Sunset from the pier')).toBeVisible();
  await expect(messageLog(g).getByRole('article', { name: /1 photo/ })).toBeVisible();

  // The viewer: the full image; Escape closes and focus goes back to the photo.
  await opener.click();
  const viewer = g.getByRole('dialog', { name: 'pier.jpg' });
  await expect(viewer).toBeVisible();
  const full = viewer.getByRole('img', { name: 'pier.jpg' });
  await expect(full).toHaveAttribute('src', /\/api\/attachments\/[0-9a-f-]+\?sig=/);
  await expect.poll(() => naturalWidth(full)).toBe(1200);
  await expect(viewer.getByRole('link', { name: 'Download' })).toHaveAttribute('download', 'pier.jpg');
  await g.keyboard.press('Escape');
  await expect(viewer).toBeHidden();
  await expect(opener).toBeFocused();

  // Ada's own copy is the stored one too, once acknowledged.
  await expect(photoButton(a, 'pier.jpg')).toBeVisible();
});

test('several photos make a grid, the viewer moves between them with the arrows; a dropped file is a card', async ({
  browser,
}) => {
  const { a, g } = await pair(browser, 2);
  // Through "Attach": the file chooser.
  const chooser = a.waitForEvent('filechooser');
  await a.getByRole('button', { name: 'Attach' }).click();
  await (
    await chooser
  ).setFiles([{ name: 'removed.txt', mimeType: 'text/plain', buffer: Buffer.from('not this one') }]);
  await a.getByRole('button', { name: 'Remove removed.txt' }).click();
  await expect(a.getByRole('list', { name: 'Attachments' })).toBeHidden();

  await pastePhotos(a, [
    { name: 'one.jpg', width: 800, height: 600, hue: 200 },
    { name: 'two.jpg', width: 600, height: 900, hue: 330 },
  ]);
  await expect(a.getByRole('list', { name: 'Attachments' }).getByRole('listitem')).toHaveCount(2);
  await send(a);
  await expect(photoButton(g, 'one.jpg')).toBeVisible();
  await expect(photoButton(g, 'two.jpg')).toBeVisible();
  await expect(messageLog(g).locator('.photo-grid--2')).toHaveCount(1);

  await photoButton(g, 'one.jpg').click();
  await expect(g.getByRole('dialog', { name: /one\.jpg 1 of 2/ })).toBeVisible();
  await g.keyboard.press('ArrowRight');
  const second = g.getByRole('dialog', { name: /two\.jpg 2 of 2/ });
  await expect(second).toBeVisible();
  await expect.poll(() => naturalWidth(second.getByRole('img', { name: 'two.jpg' }))).toBe(600);
  await g.keyboard.press('ArrowLeft');
  await expect(g.getByRole('dialog', { name: /one\.jpg 1 of 2/ })).toBeVisible();
  await g.getByRole('button', { name: 'Next photo' }).click();
  await expect(second).toBeVisible();
  await g.keyboard.press('Escape');
  await expect(photoButton(g, 'one.jpg')).toBeFocused();

  // Drag and drop: a text file, sent as a card with its name, size and download link.
  await dropTextFile(a, 'notes.txt', 'Bring the punched cards.\n');
  await expect(a.getByRole('list', { name: 'Attachments' }).getByText('notes.txt')).toBeVisible();
  await send(a);
  const card = messageLog(g).getByRole('link', { name: /^Download notes\.txt, 25 bytes$/ });
  await expect(card).toBeVisible();
  await expect(card).toHaveAttribute('href', /\/api\/attachments\/[0-9a-f-]+\?sig=/);
  await expect(card).toHaveAttribute('download', 'notes.txt');
  const body = await g.evaluate(
    `fetch(${JSON.stringify('')} + document.querySelector('a.file-card').getAttribute('href')).then((r) => r.text())`,
  );
  expect(body).toBe('Bring the punched cards.\n');
});

test('a 30 MB file is refused with a clear message and cannot be sent until removed', async ({ browser }) => {
  const { a } = await pair(browser, 3);
  await pasteBlob(a, 'holiday.mov', 30 * 1024 * 1024, 'video/quicktime');
  await expect(a.getByRole('alert')).toHaveText('holiday.mov is too big. Files can be up to 25 MB.');
  await expect(
    a.getByRole('list', { name: 'Attachments' }).getByText('Files can be up to 25 MB'),
  ).toBeVisible();
  await composer(a).fill('The video');
  await expect(a.getByRole('button', { name: 'Send' })).toBeDisabled();
  await composer(a).press('Enter');
  await expect(messageLog(a).getByText('The video')).toHaveCount(0);
  await a.getByRole('button', { name: 'Remove holiday.mov' }).click();
  await expect(a.getByRole('alert')).toHaveCount(0);
  await expect(a.getByRole('button', { name: 'Send' })).toBeEnabled();
});

test('a photo sent while the server is down waits in the outbox and is sent once when it is back', async ({
  browser,
}) => {
  const { a, g, ada } = await pair(browser, 4);
  await waitForOfflineShell(a);
  await server.stop();
  await expect(connectionBanner(a).first()).toContainText('Reconnecting');

  await pastePhotos(a, [{ name: 'offline.jpg', width: 640, height: 480, hue: 120 }]);
  await composer(a).fill('Sent from the tunnel');
  await send(a);
  // On screen at once from the local copy, saying why it waits.
  await expect(messageLog(a).getByRole('img', { name: 'offline.jpg' })).toBeVisible();
  await expect(messageLog(a).getByText(/Upload paused: you are offline/)).toBeVisible();
  await expect(messageLog(a).getByText('Waiting to send', { exact: true })).toBeVisible();

  await server.start();
  await expect(photoButton(g, 'offline.jpg')).toBeVisible({ timeout: 45_000 });
  await expect(photoButton(a, 'offline.jpg')).toBeVisible({ timeout: 45_000 });
  await expect(messageLog(a).getByText(/Upload paused/)).toHaveCount(0);
  // Exactly once, also after a reload of both.
  await g.reload();
  await openConversation(g, ada);
  await expect(photoButton(g, 'offline.jpg')).toBeVisible();
  await expect(messageLog(g).getByText('Sent from the tunnel')).toHaveCount(1);
  await expect(photoButton(g, 'offline.jpg')).toHaveCount(1);
  await expect.poll(() => naturalWidth(photoButton(g, 'offline.jpg').getByRole('img'))).toBe(512);
});
