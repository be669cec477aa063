import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { openPage } from './support/browser.js';
import { seedUser, startHarness, type Harness } from './support/harness.js';

let harness: Harness;
let context: BrowserContext;
beforeAll(async () => {
  harness = await startHarness();
}, 60_000);
afterAll(() => harness?.close());
afterEach(() => context?.close());

describe('<derbel-app> signing in and out', () => {
  it('signs up, stays signed in across a reload, and signs out', async () => {
    context = await harness.browser.newContext();
    const page = await openPage(context, harness.url);
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Username').fill('carol');
    await page.getByLabel('Display name').fill('Carol Jones');
    await page.getByLabel('Password').fill('correct horse');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByTestId('signed-in-as').getByText('Carol Jones').waitFor();

    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.getByTestId('signed-in-as').getByText('Carol Jones').waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(page.errors).toEqual([]);
  });

  it('says when the username is taken, the password is wrong, or the input is invalid', async () => {
    seedUser(harness.api, 'dave');
    context = await harness.browser.newContext();
    const page = await openPage(context, harness.url);
    const error = page.getByTestId('sign-in-error');

    await page.getByLabel('Username').fill('dave');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => error.textContent()).toBe('Wrong username or password.');
    await expect.poll(() => error.getAttribute('role')).toBe('alert');

    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Username').fill('dave');
    await page.getByLabel('Display name').fill('Another Dave');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => error.textContent()).toBe('Use a password of at least 8 characters.');

    await page.getByLabel('Password').fill('long enough');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => error.textContent()).toBe('That username is taken. Try another one.');
  });

  it('says when the server is unreachable', async () => {
    context = await harness.browser.newContext();
    const page = await openPage(context, harness.url);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    harness.api.setReachable(false);
    try {
      await page.getByLabel('Username').fill('erin');
      await page.getByLabel('Password').fill('whatever123');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.getByTestId('sign-in-error').textContent()).toContain('The server is unreachable');
    } finally {
      harness.api.setReachable(true);
    }
  });

  it('can be used with the keyboard alone', async () => {
    seedUser(harness.api, 'frank');
    context = await harness.browser.newContext();
    const page = await openPage(context, harness.url);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.type('frank');
    await page.keyboard.press('Tab');
    await page.keyboard.type('password123');
    await page.keyboard.press('Enter');
    await page.getByTestId('signed-in-as').getByText('Frank').waitFor();
  });
});
