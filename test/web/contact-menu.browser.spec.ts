import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openPage, signedInContext } from './support/browser.js';
import { seedUser, startHarness, type Harness } from './support/harness.js';

let harness: Harness;
const contexts: BrowserContext[] = [];
let n = 0;
beforeAll(async () => {
  harness = await startHarness();
}, 60_000);
afterAll(() => harness?.close());
afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
});

/** Two contacts, each signed in in their own context; the first has the conversation open. */
async function pair(theme?: 'dark') {
  n++;
  const me = seedUser(harness.api, `tara${n}`, 'Tara');
  const peer = seedUser(harness.api, `ugo${n}`, 'Ugo');
  const contactId = harness.api.store.addContact(me.user.id, peer.user.username).contact.id;
  const mine = await signedInContext(harness.browser, harness.url, me.token, { colorScheme: theme ?? 'light' });
  const theirs = await signedInContext(harness.browser, harness.url, peer.token);
  contexts.push(mine, theirs);
  const page = await openPage(mine, `${harness.url}/#/contacts/${contactId}`);
  await page.getByRole('heading', { name: 'Ugo' }).waitFor();
  const peerPage = await openPage(theirs, `${harness.url}/#/contacts/${contactId}`);
  await peerPage.getByRole('heading', { name: 'Tara' }).waitFor();
  return { me, peer, contactId, page, peerPage };
}

/** The focused element, inside however many shadow roots. */
const focused = (page: Page) =>
  page.evaluate(() => {
    let element = document.activeElement;
    while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement;
    return element?.getAttribute('aria-label') ?? element?.textContent?.trim();
  });

describe('the conversation menu: remove and block', () => {
  it('removes a contact from the keyboard after confirming; the other side’s open conversation closes too', async () => {
    const { me, contactId, page, peerPage } = await pair();
    const toggle = page.getByRole('button', { name: 'More for Ugo' });
    await toggle.focus();
    await page.keyboard.press('Enter');
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    // The first item has focus; the arrows move, Escape closes and gives focus back.
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => focused(page)).toBe('Block');
    await page.keyboard.press('Escape');
    await expect.poll(() => toggle.getAttribute('aria-expanded')).toBe('false');
    await expect.poll(() => focused(page)).toBe('More for Ugo');

    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter'); // Remove contact
    const dialog = page.getByRole('dialog', { name: 'Remove Ugo?' });
    await dialog.waitFor();
    // Cancel keeps the contact.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(harness.api.store.contacts.has(contactId)).toBe(true);

    await toggle.click();
    await page.getByRole('menuitem', { name: 'Remove contact' }).click();
    await dialog.getByRole('button', { name: 'Remove contact' }).click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/');
    await expect.poll(() => page.getByTestId('contact-item').count()).toBe(0);
    expect(await page.getByTestId('state-notice').count()).toBe(0);

    await expect.poll(() => peerPage.evaluate(() => location.hash)).toBe('#/');
    await peerPage.getByTestId('state-notice').getByText('Tara is no longer in your contacts.').waitFor();
    expect(await peerPage.getByTestId('contact-item').count()).toBe(0);
    expect(harness.api.store.contactsOf(me.user.id)).toEqual([]);
    expect(page.errors).toEqual([]);
    expect(peerPage.errors).toEqual([]);
  });

  it('blocks from the conversation (dark theme); the blocked user is listed in Settings until unblocked', async () => {
    const { me, peer, page } = await pair('dark');
    await page.getByRole('button', { name: 'More for Ugo' }).click();
    const menu = page.getByRole('menu');
    // Dark theme: the menu is drawn on the dark background.
    expect(await menu.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(21, 21, 28)');
    await page.getByRole('menuitem', { name: 'Block' }).click();
    const dialog = page.getByRole('dialog', { name: 'Block Ugo?' });
    expect(await dialog.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(21, 21, 28)');
    await dialog.getByRole('button', { name: 'Block' }).click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/');
    expect(harness.api.store.blocksOf(me.user.id)).toMatchObject([{ user: { id: peer.user.id } }]);

    await page.getByTestId('settings-link').click();
    const blocked = page.getByTestId('blocked-user');
    await expect.poll(() => blocked.getAttribute('data-username')).toBe(peer.user.username);
    await page.getByRole('button', { name: `Unblock ${peer.user.username}`, exact: true }).click();
    await page.getByTestId('no-blocked-users').waitFor();
    expect(harness.api.store.blocksOf(me.user.id)).toEqual([]);
    // Unblocking does not bring the contact back.
    expect(await page.getByTestId('contact-item').count()).toBe(0);
    expect(page.errors).toEqual([]);
  });
});
