import type { BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openPage, signedInContext } from './support/browser.js';
import { seedUser, startHarness, type Harness } from './support/harness.js';

let harness: Harness;
let context: BrowserContext;
beforeAll(async () => {
  harness = await startHarness();
}, 60_000);
afterAll(() => harness?.close());
afterEach(() => context?.close());

describe('<derbel-add-contact> and <derbel-contact-list>', () => {
  it('finds a person by username, adds them, and explains refusals', async () => {
    const me = seedUser(harness.api, 'gina');
    seedUser(harness.api, 'hugo', 'Hugo Hale');
    context = await signedInContext(harness.browser, harness.url, me.token);
    const page = await openPage(context, harness.url);
    const input = page.getByRole('searchbox', { name: 'Find people by username' });
    await input.fill('hu');
    await page.getByRole('button', { name: 'Add Hugo Hale (@hugo)' }).click();
    await page.getByRole('status').getByText('Hugo Hale was added to your contacts.').waitFor();
    await page.getByTestId('contact-item').filter({ hasText: 'Hugo Hale' }).waitFor();

    const error = page.getByTestId('add-contact-error');
    for (const [username, message] of [
      ['hugo', 'hugo is already in your contacts.'],
      ['nobody-here', 'Nobody is called “nobody-here”.'],
      ['gina', 'That is you — add someone else.'],
    ]) {
      await input.fill(username);
      await input.press('Enter');
      await expect.poll(() => error.textContent()).toBe(message);
    }
    expect(page.errors).toEqual([]);
  });

  it('shows last message, unread badge, presence and calls, newest activity first, live', async () => {
    const me = seedUser(harness.api, 'ivy');
    const jack = seedUser(harness.api, 'jack');
    const kate = seedUser(harness.api, 'kate');
    const withJack = harness.api.store.addContact(me.user.id, 'jack').contact.id;
    harness.api.store.addContact(me.user.id, 'kate');
    context = await signedInContext(harness.browser, harness.url, me.token);
    const page = await openPage(context, harness.url);
    const items = page.getByTestId('contact-item');
    await expect.poll(() => items.count()).toBe(2);
    // Kate was added last: newest activity first.
    await expect.poll(() => items.first().getAttribute('data-username')).toBe('kate');

    harness.api.store.send(jack.user.id, withJack, 'Are you there?');
    harness.api.store.send(jack.user.id, withJack, 'Hello?');
    const jackItem = items.filter({ hasText: 'Jack' });
    await expect.poll(() => items.first().getAttribute('data-username')).toBe('jack');
    await expect.poll(() => jackItem.getByTestId('unread-badge').textContent()).toBe('2');
    await expect.poll(() => jackItem.textContent()).toContain('Hello?');
    // Named by what it shows, then its state.
    expect(await page.getByRole('link', { name: /^Jack Hello\? ?, 2 unread$/ }).count()).toBe(1);

    // Presence: Jack's browser connects.
    const jackContext = await signedInContext(harness.browser, harness.url, jack.token);
    try {
      await openPage(jackContext, harness.url);
      await expect.poll(() => jackItem.getByTestId('presence').getAttribute('data-online')).toBe('true');
    } finally {
      await jackContext.close();
    }
    // Within the fake API's heartbeat (2 s) even when the closed context leaves its WebSocket open.
    await expect.poll(() => jackItem.getByTestId('presence').getAttribute('data-online'), { timeout: 5_000 }).toBe('false');

    // In a call: Kate calls.
    const kateContact = harness.api.store.contactsOf(kate.user.id)[0].id;
    const { meeting } = harness.api.store.startMeeting(kate.user.id, kateContact);
    const kateItem = items.filter({ hasText: 'Kate' });
    await expect.poll(() => kateItem.getByTestId('in-call').textContent()).toBe('Ringing');
    harness.api.store.endMeeting(meeting.id, 'missed');
    await expect.poll(() => kateItem.getByTestId('in-call').count()).toBe(0);

    // Opening the conversation reads it.
    await jackItem.click();
    await expect.poll(() => jackItem.getByTestId('unread-badge').count()).toBe(0);
    expect(await jackItem.getAttribute('aria-current')).toBe('page');
    expect(harness.api.store.contactFor(jack.user.id, withJack).peerLastReadMessageId).toBeTruthy();
  });

  it('adds a contact someone else made with me, live', async () => {
    const me = seedUser(harness.api, 'liam');
    const mia = seedUser(harness.api, 'mia');
    context = await signedInContext(harness.browser, harness.url, me.token);
    const page = await openPage(context, harness.url);
    await page.getByText('No contacts yet').waitFor();
    harness.api.store.addContact(mia.user.id, 'liam');
    await page.getByTestId('contact-item').filter({ hasText: 'Mia' }).waitFor();
  });
});
