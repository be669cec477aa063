import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openPage } from './support/browser.js';
import { E2eApp } from './support/e2e-app.js';

/**
 * Issue 14, "your sessions" in the app: a user sees this device and their other sessions, signs another one
 * out (that browser drops to the sign-in screen at once), and signs out everywhere.
 */
describe('your sessions, in Chromium against the real server', () => {
  const e2e = new E2eApp('sessions');
  beforeAll(() => e2e.start(), 120_000);
  afterEach(() => e2e.closeContexts());
  afterAll(() => e2e.stop());

  async function signInElsewhere(name: string, userAgent: string): Promise<Page> {
    const context = await e2e.newContext({ userAgent });
    const page = await openPage(context, e2e.server.url);
    await page.getByLabel('Username').fill(name);
    await page.getByLabel('Password').fill('password123');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('signed-in-as').waitFor();
    return page;
  }
  const signedOut = (page: Page) => page.getByRole('button', { name: 'Create an account' }).waitFor({ timeout: 10_000 });

  it('lists this device and the others, and signs one out', async () => {
    const ana = await e2e.signUp('ana');
    const phone = await signInElsewhere(
      ana.name,
      'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36',
    );
    await ana.page.getByTestId('settings-link').click();
    const sessions = ana.page.getByTestId('session');
    await expect.poll(() => sessions.count()).toBe(2);
    await ana.page.locator('[data-testid="session"][data-current="true"]').getByText('This device').waitFor();
    const other = ana.page.locator('[data-testid="session"][data-current="false"]');
    await other.getByText('Chrome on Android').waitFor();
    await other.getByRole('button', { name: 'Sign out Chrome on Android' }).click();
    await signedOut(phone);
    await expect.poll(() => sessions.count()).toBe(1);
    expect(ana.page.errors).toEqual([]);
  });

  it('signs out everywhere', async () => {
    const ben = await e2e.signUp('ben');
    const laptop = await signInElsewhere(ben.name, 'Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/131.0');
    await ben.page.getByTestId('settings-link').click();
    await ben.page.getByTestId('sign-out-everywhere').click();
    await signedOut(ben.page);
    await signedOut(laptop);
  });
});
