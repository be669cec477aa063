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
  it('finds a person by username, sends a request with a first message, and explains refusals', async () => {
    const me = seedUser(harness.api, 'gina');
    const hugo = seedUser(harness.api, 'hugo', 'Hugo Hale');
    seedUser(harness.api, 'hana');
    context = await signedInContext(harness.browser, harness.url, me.token);
    const page = await openPage(context, harness.url);
    const input = page.getByRole('searchbox', { name: 'Find people by username' });
    await input.fill('hu');
    await page.getByLabel('First message (optional)').fill('Hi Hugo, Gina from the climbing club');
    await page.getByRole('button', { name: 'Add Hugo Hale (@hugo)' }).click();
    await page.getByRole('status').getByText('Request sent to Hugo Hale.').waitFor();
    // A request, not a contact: no conversation to open yet.
    const sent = page.getByTestId('contact-request').filter({ hasText: 'hugo' });
    await expect.poll(() => sent.getAttribute('data-direction')).toBe('outgoing');
    expect(await sent.textContent()).toContain('Request sent');
    expect(await page.getByTestId('contact-item').count()).toBe(0);
    expect(harness.api.store.requestsOf(hugo.user.id)).toMatchObject([
      { direction: 'incoming', message: 'Hi Hugo, Gina from the climbing club' },
    ]);
    // Searching again says so instead of offering Add.
    await input.fill('hu');
    await page.getByTestId('user-results').getByText('Request sent').waitFor();

    // Asking again (Enter in the search box) is the same pending request.
    await input.fill('hugo');
    await input.press('Enter');
    await page.getByRole('status').getByText('Request sent to Hugo Hale.').waitFor();
    expect(harness.api.store.requestsOf(me.user.id)).toHaveLength(1);

    // Over 500 characters the first message cannot be sent.
    await input.fill('hana');
    await page.getByLabel('First message (optional)').fill('x'.repeat(501));
    expect(await page.getByTestId('add-contact-submit').isDisabled()).toBe(true);
    await page.getByLabel('First message (optional)').fill('');

    harness.api.store.addContact(me.user.id, 'hana');
    const error = page.getByTestId('add-contact-error');
    for (const [username, message] of [
      ['hana', 'hana is already in your contacts.'],
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

  it('shows incoming requests live with their first message and a count, answered from the keyboard', async () => {
    const me = seedUser(harness.api, 'nina');
    const olga = seedUser(harness.api, 'olga');
    const pete = seedUser(harness.api, 'pete');
    const quin = seedUser(harness.api, 'quin');
    context = await signedInContext(harness.browser, harness.url, me.token);
    const page = await openPage(context, harness.url);
    await page.getByText('No contacts yet').waitFor();

    harness.api.store.requestContact(olga.user.id, 'nina', 'Hello from Olga');
    harness.api.store.requestContact(pete.user.id, 'nina', null);
    harness.api.store.requestContact(quin.user.id, 'nina', 'Buy cheap watches');
    const requests = page.getByTestId('contact-request');
    await expect.poll(() => requests.count()).toBe(3);
    await expect.poll(() => page.getByTestId('requests-badge').textContent()).toBe('3');
    expect(await page.getByRole('heading', { name: 'Requests 3 waiting for your answer' }).count()).toBe(1);
    expect(await requests.filter({ hasText: 'Olga' }).getByTestId('request-message').textContent()).toBe('Hello from Olga');
    // Newest first.
    expect(await requests.first().getAttribute('data-username')).toBe('quin');

    // Accept with the keyboard: the contact appears and its conversation opens.
    await page.getByRole('button', { name: 'Accept olga', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('contact-item').filter({ hasText: 'Olga' }).waitFor();
    await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/^#\/contacts\//);
    await expect.poll(() => page.getByTestId('requests-badge').textContent()).toBe('2');

    await page.getByRole('button', { name: 'Decline pete', exact: true }).click();
    await expect.poll(() => requests.count()).toBe(1);
    // Pete is not told: his request still shows as sent.
    expect(harness.api.store.requestsOf(pete.user.id)).toMatchObject([{ direction: 'outgoing' }]);

    // Block asks first; Escape keeps things as they were.
    await page.getByRole('button', { name: 'Block quin', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Block quin?' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await requests.count()).toBe(1);
    await page.getByRole('button', { name: 'Block quin', exact: true }).click();
    await dialog.getByRole('button', { name: 'Block' }).click();
    await expect.poll(() => requests.count()).toBe(0);
    await expect.poll(() => page.getByTestId('contact-requests').count()).toBe(0);
    expect(harness.api.store.blocksOf(me.user.id)).toMatchObject([{ user: { username: 'quin' } }]);
    expect(page.errors).toEqual([]);
  });

  it('adding someone who had asked first makes the contact at once (crossing requests)', async () => {
    const me = seedUser(harness.api, 'vera');
    seedUser(harness.api, 'walt', 'Walt Wong');
    const walt = harness.api.store.byUsername('walt')!;
    harness.api.store.requestContact(walt.id, 'vera', null);
    context = await signedInContext(harness.browser, harness.url, me.token);
    const page = await openPage(context, harness.url);
    await page.getByTestId('contact-request').waitFor();
    await page.getByTestId('add-contact-input').fill('walt');
    await page.getByTestId('add-contact-input').press('Enter');
    await page.getByRole('status').getByText('Walt Wong is now in your contacts.').waitFor();
    await page.getByTestId('contact-item').filter({ hasText: 'Walt Wong' }).waitFor();
    await expect.poll(() => page.getByTestId('contact-request').count()).toBe(0);
  });

  it('cancels an outgoing request', async () => {
    const me = seedUser(harness.api, 'rosa');
    const sam = seedUser(harness.api, 'sam');
    harness.api.store.requestContact(me.user.id, 'sam', null);
    context = await signedInContext(harness.browser, harness.url, me.token);
    const page = await openPage(context, harness.url);
    await page.getByRole('button', { name: 'Cancel request to sam', exact: true }).click();
    await expect.poll(() => page.getByTestId('contact-request').count()).toBe(0);
    expect(harness.api.store.requestsOf(sam.user.id)).toEqual([]);
  });
});
