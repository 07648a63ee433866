import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { E2eServer } from '../support/server';
import { expectNoSeriousViolations } from '../support/axe';
import {
  chatWindow,
  closeAll,
  conversationLink,
  messageLog,
  openApp,
  send,
  signIn,
  signUp,
  startConversation,
} from '../support/chat';
import type { Person } from '../support/chat';

/*
 * Issue 11, acceptance 4, in a real Chromium against the real server: the Content-Security-Policy
 * blocks an injected inline script while the app itself runs under it; "Forgot password?" works
 * end to end with the link the server logs (no SMTP here); the profile screen changes the display
 * name (the other person sees it) and the password, explaining the policy's refusals; "Sign out of
 * other devices" ends the session in another browser.
 */

const SCHEMES = ['light', 'dark'] as const;

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

/**
 * Records every CSP violation the page reports, from before the app's first script on. Playwright
 * injects this through the DevTools protocol, which the page's policy does not govern.
 */
async function recordViolations(page: Page): Promise<void> {
  await page.addInitScript(`
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.__violations.push(event.effectiveDirective + ' ' + event.blockedURI);
    });
  `);
}

function violations(page: Page): Promise<string[]> {
  return page.evaluate('window.__violations.slice()') as Promise<string[]>;
}

/** The recovery links the server has logged so far, oldest first. */
function loggedRecoveryLinks(): string[] {
  const links: string[] = [];
  for (const line of server.output().split('\n')) {
    if (!line.includes('recovery_link')) continue;
    try {
      const entry = JSON.parse(line) as { recovery_link?: unknown };
      if (typeof entry.recovery_link === 'string') links.push(entry.recovery_link);
    } catch {
      // Not a log line of the server's (a stray write): not a link.
    }
  }
  return links;
}

async function openProfile(page: Page) {
  await page.getByRole('button', { name: 'Profile', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Profile' });
  await expect(dialog).toBeVisible();
  return dialog;
}

test('the Content-Security-Policy blocks an injected inline script; the app runs under it untouched', async ({
  browser,
}) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await recordViolations(page);
    const response = await page.goto(server.url);
    const policy = response?.headers()['content-security-policy'] ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(response?.headers()['x-content-type-options']).toBe('nosniff');

    // The app's own bundles, stylesheet and service worker work under the policy.
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Sign in' })).toHaveCSS('border-radius', '12px');
    await expect
      .poll(() => page.evaluate('navigator.serviceWorker.ready.then((r) => r.active !== null)'))
      .toBe(true);
    expect(await violations(page)).toEqual([]);

    // What an XSS would do: an inline <script>, and an inline event handler.
    const outcome = await page.evaluate(`new Promise((resolve) => {
      window.__ran = [];
      const script = document.createElement('script');
      script.textContent = 'window.__ran.push("inline script")';
      document.body.appendChild(script);
      const img = document.createElement('img');
      img.setAttribute('onerror', 'window.__ran.push("onerror attribute")');
      img.src = 'data:,not-an-image';
      document.body.appendChild(img);
      setTimeout(() => resolve(window.__ran.slice()), 500);
    })`);
    expect(outcome).toEqual([]);
    await expect
      .poll(() => violations(page))
      .toEqual(expect.arrayContaining(['script-src-elem inline', 'script-src-attr inline']));
  } finally {
    await context.close();
  }
});

test('"Forgot password?": the logged link opens "Choose a new password", and the new one signs in', async ({
  browser,
}) => {
  const rosalind = await signUp(browser, server.url, 'Rosalind Franklin');
  people.push(rosalind);
  const { context, page } = await openApp(browser, server.url);
  try {
    const before = loggedRecoveryLinks().length;
    await page.getByLabel('Email').fill(rosalind.email);
    await page.getByRole('button', { name: 'Forgot password?' }).click();
    await expect(page.getByRole('heading', { name: 'Forgot your password?' })).toBeVisible();
    // The address typed for signing in is carried over.
    await expect(page.getByLabel('Email')).toHaveValue(rosalind.email);
    for (const colorScheme of SCHEMES) {
      await page.emulateMedia({ colorScheme });
      await expectNoSeriousViolations(page, `forgot password, ${colorScheme}`);
    }
    await page.getByRole('button', { name: 'Send link' }).click();
    await expect(page.getByRole('heading', { name: 'Check your e-mail' })).toBeVisible();
    await expect(page.getByRole('status')).toContainText(rosalind.email);
    await expectNoSeriousViolations(page, 'check your e-mail');

    await expect.poll(() => loggedRecoveryLinks().length).toBe(before + 1);
    const link = loggedRecoveryLinks().at(-1) ?? '';
    expect(new URL(link).origin).toBe(server.url);

    // The link, as the e-mail would open it: the app, signed in, asking for the new password.
    await page.goto(link);
    await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
    await expect(page).not.toHaveURL(/access_token/u);
    for (const colorScheme of SCHEMES) {
      await page.emulateMedia({ colorScheme });
      await expectNoSeriousViolations(page, `choose a new password, ${colorScheme}`);
    }
    await page.getByLabel('New password', { exact: true }).fill('password');
    await page.getByLabel('Confirm new password').fill('password');
    await page.getByRole('button', { name: 'Save password' }).click();
    await expect(page.getByRole('alert')).toContainText('too common');
    const newPassword = 'rosalind photo 51 x-ray';
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByLabel('Confirm new password').fill(newPassword);
    await page.getByRole('button', { name: 'Save password' }).click();
    await expect(page.getByRole('button', { name: 'New conversation' })).toBeVisible();

    // A new password ends the other sessions: the browser she signed up in is signed out.
    await expect(rosalind.page.getByRole('button', { name: 'Sign in' })).toBeVisible({ timeout: 20_000 });

    // The old password no longer works; the new one does.
    await rosalind.page.getByLabel('Email').fill(rosalind.email);
    await rosalind.page.getByLabel('Password').fill(rosalind.password);
    await rosalind.page.getByRole('button', { name: 'Sign in' }).click();
    await expect(rosalind.page.getByRole('alert')).toHaveText('Wrong e-mail or password.');
    await rosalind.page.getByLabel('Password').fill(newPassword);
    await rosalind.page.getByRole('button', { name: 'Sign in' }).click();
    await expect(rosalind.page.getByRole('button', { name: 'New conversation' })).toBeVisible();

    // A link works once.
    const again = await browser.newContext();
    try {
      const reused = await again.newPage();
      await reused.goto(link);
      await expect(reused.getByRole('alert')).toContainText('expired or was already used');
      await expect(reused.getByRole('button', { name: 'Sign in' })).toBeVisible();
      await expect(reused).not.toHaveURL(/error/u);
    } finally {
      await again.close();
    }
  } finally {
    await context.close();
  }
});

test('the profile screen changes the display name (the other person sees it) and the password', async ({
  browser,
}) => {
  const ada = await signUp(browser, server.url, 'Ada Lovelace');
  const grace = await signUp(browser, server.url, 'Grace Hopper');
  people.push(ada, grace);
  await startConversation(grace.page, 'Ada Lovelace');
  await send(grace.page, 'Hello Ada');
  await expect(conversationLink(ada.page, 'Grace Hopper')).toBeVisible();

  const profile = await openProfile(ada.page);
  await expect(profile.getByRole('heading', { name: 'Profile' })).toBeFocused();
  for (const colorScheme of SCHEMES) {
    await ada.page.emulateMedia({ colorScheme });
    await expectNoSeriousViolations(ada.page, `profile, ${colorScheme}`);
  }
  await ada.page.emulateMedia({ colorScheme: 'light' });

  // The display name.
  await profile.getByLabel('Display name').fill('  Ada King  ');
  await profile.getByRole('button', { name: 'Save name' }).click();
  await expect(profile.getByRole('status').filter({ hasText: 'Name saved' })).toBeVisible();
  await expect(ada.page.getByRole('region', { name: 'Account' })).toContainText('Ada King');
  await grace.page.reload();
  await expect(conversationLink(grace.page, 'Ada King')).toBeVisible();
  await conversationLink(grace.page, 'Ada King').click();
  await expect(chatWindow(grace.page, 'Ada King')).toBeVisible();
  await expect(messageLog(grace.page).getByText('Hello Ada')).toBeVisible();

  // The password: each refusal of the policy in words, then the change.
  const newPassword = profile.getByLabel('New password', { exact: true });
  const confirmation = profile.getByLabel('Confirm new password');
  const change = profile.getByRole('button', { name: 'Change password' });
  const refusals: [string, string, RegExp][] = [
    ['short', 'short', /at least 8 characters/u],
    ['123456789', '123456789', /too common/u],
    [ada.email, ada.email, /too common or too easy to guess/u],
    ['one new password', 'another one', /not the same/u],
    [ada.password, ada.password, /your current password/u],
  ];
  for (const [password, repeated, why] of refusals) {
    await newPassword.fill(password);
    await confirmation.fill(repeated);
    await change.click();
    await expect(profile.getByRole('alert')).toHaveText(why);
  }
  await expectNoSeriousViolations(ada.page, 'profile with a refused password');
  const chosen = 'analytical engine notes';
  await newPassword.fill(chosen);
  await confirmation.fill(chosen);
  await change.click();
  await expect(profile.getByRole('status').filter({ hasText: 'Password changed' })).toBeVisible();
  await expect(profile.getByRole('alert')).toHaveCount(0);
  await expect(newPassword).toHaveValue('');

  // Done gives focus back to "Profile"; this browser is still signed in.
  await profile.getByRole('button', { name: 'Done' }).click();
  await expect(profile).toBeHidden();
  await expect(ada.page.getByRole('button', { name: 'Profile', exact: true })).toBeFocused();
  await ada.page.reload();
  await expect(ada.page.getByRole('button', { name: 'New conversation' })).toBeVisible();

  const elsewhere = await signIn(browser, server.url, { ...ada, password: chosen });
  people.push(elsewhere);
  await expect(elsewhere.page.getByRole('region', { name: 'Account' })).toContainText('Ada King');
});

test('"Sign out of other devices" ends the session in another browser and keeps this one', async ({
  browser,
}) => {
  const alan = await signUp(browser, server.url, 'Alan Turing');
  const laptop = await signIn(browser, server.url, alan);
  people.push(alan, laptop);

  const profile = await openProfile(alan.page);
  await profile.getByRole('button', { name: 'Sign out of other devices' }).click();
  await expect(
    profile.getByRole('status').filter({ hasText: 'Your other devices are signed out.' }),
  ).toBeVisible();

  // The other browser is told at once (its socket is closed) and shows the sign-in screen.
  await expect(laptop.page.getByRole('button', { name: 'Sign in' })).toBeVisible({ timeout: 20_000 });
  await laptop.page.reload();
  await expect(laptop.page.getByRole('button', { name: 'Sign in' })).toBeVisible();

  // This one goes on: its list still loads over REST and its socket stays open.
  await profile.getByRole('button', { name: 'Done' }).click();
  await alan.page.reload();
  await expect(alan.page.getByRole('button', { name: 'New conversation' })).toBeVisible();
  await expect(alan.page.getByText('No conversations yet.')).toBeVisible();
  await expect(alan.page.getByRole('alert')).toHaveCount(0);
});
