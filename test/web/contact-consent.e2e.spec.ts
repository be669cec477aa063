import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contactItem, E2eApp, texts, type Person, say } from './support/e2e-app.js';

const app = new E2eApp('cc');

beforeAll(() => app.start(), 120_000);
afterAll(() => app.stop());
afterEach(() => app.closeContexts());

const request = (page: Page, displayName: string) => page.getByTestId('contact-request').filter({ hasText: displayName });

async function ask(person: Person, other: Person, message?: string) {
  await person.page.getByTestId('add-contact-input').fill(other.name);
  if (message) await person.page.getByLabel('First message (optional)').fill(message);
  await person.page.getByTestId('add-contact-input').press('Enter');
  await person.page.getByTestId('add-contact-status').getByText(`Request sent to ${other.displayName}.`).waitFor();
}

/** What the page's client gets when it sends into a conversation, as the web app would. */
const sendThroughApi = (page: Page, contactId: string) =>
  page.evaluate(async (id) => {
    const client = (
      document.querySelector('derbel-app') as unknown as {
        client: { api: { sendMessage(c: string, m: { text: string }): Promise<unknown> } };
      }
    ).client;
    return client.api.sendMessage(id, { text: 'still there?' }).then(
      () => 'sent',
      (error: { statusCode: number; code: string }) => `${error.statusCode} ${error.code}`,
    );
  }, contactId);

describe('contacts with consent, in Chromium against the real server', () => {
  it('request with a first message → seen live → accept → chat both ways → block → unblock', { timeout: 120_000 }, async () => {
    const anna = await app.signUp('anna');
    const boris = await app.signUp('boris');

    await ask(anna, boris, 'Hi Boris, Anna from the conference');
    await expect.poll(() => request(anna.page, 'Boris').textContent()).toContain('Request sent');
    expect(await contactItem(anna.page, 'Boris').count()).toBe(0);

    // Boris sees it live, with the message and a count.
    await request(boris.page, 'Anna').waitFor();
    await expect.poll(() => boris.page.getByTestId('requests-badge').textContent()).toBe('1');
    // The tab says something waits, for when it is in the background.
    await expect.poll(() => boris.page.title()).toBe('(1) Derbel');
    expect(await request(boris.page, 'Anna').getByTestId('request-message').textContent()).toBe('Hi Boris, Anna from the conference');

    // Requests name the requester by username.
    await boris.page.getByRole('button', { name: `Accept ${anna.name}`, exact: true }).click();
    await boris.page.getByRole('heading', { name: 'Anna' }).waitFor();
    await contactItem(anna.page, 'Boris').waitFor();
    await expect.poll(() => request(anna.page, 'Boris').count()).toBe(0);
    expect(await boris.page.getByTestId('requests-badge').count()).toBe(0);
    await expect.poll(() => boris.page.title()).toBe('Derbel');
    const contactId = (await contactItem(anna.page, 'Boris').getAttribute('data-contact-id'))!;

    await say(boris.page, 'Nice to meet you');
    await contactItem(anna.page, 'Boris').click();
    await expect.poll(() => texts(anna.page)).toEqual(['Nice to meet you']);
    await say(anna.page, 'Likewise!');
    await expect.poll(() => texts(boris.page)).toEqual(['Nice to meet you', 'Likewise!']);

    // Anna blocks Boris from the conversation's menu.
    await anna.page.getByRole('button', { name: 'More for Boris' }).click();
    await anna.page.getByRole('menuitem', { name: 'Block' }).click();
    await anna.page.getByRole('dialog', { name: 'Block Boris?' }).getByRole('button', { name: 'Block' }).click();
    await expect.poll(() => anna.page.evaluate(() => location.hash)).toBe('#/');
    await expect.poll(() => contactItem(anna.page, 'Boris').count()).toBe(0);

    // Boris's open conversation closes and leaves his list; sending answers as for a stranger.
    await expect.poll(() => boris.page.evaluate(() => location.hash)).toBe('#/');
    await expect.poll(() => contactItem(boris.page, 'Anna').count()).toBe(0);
    await boris.page.getByTestId('state-notice').getByText('Anna is no longer in your contacts.').waitFor();
    expect(await sendThroughApi(boris.page, contactId)).toBe('404 CONTACT_NOT_FOUND');
    await boris.page.evaluate((id) => (location.hash = `#/contacts/${id}`), contactId);
    await boris.page.getByTestId('conversation-unavailable').getByText('This conversation is not available.').waitFor();
    // Asking again looks sent to Boris and never reaches Anna.
    await boris.page.evaluate(() => (location.hash = '#/'));
    await ask(boris, anna, 'Why?');
    await expect.poll(() => request(boris.page, 'Anna').textContent()).toContain('Request sent');

    // Anna sees Boris among the blocked users, and unblocks him.
    await anna.page.getByTestId('settings-link').click();
    const blocked = anna.page.getByTestId('blocked-user');
    await expect.poll(() => blocked.getAttribute('data-username')).toBe(boris.name);
    expect(await anna.page.getByTestId('contact-request').count()).toBe(0);
    await anna.page.getByRole('button', { name: `Unblock ${boris.name}`, exact: true }).click();
    await anna.page.getByTestId('no-blocked-users').waitFor();
    expect(await contactItem(anna.page, 'Boris').count()).toBe(0);
    expect(anna.page.errors).toEqual([]);
    expect(boris.page.errors).toEqual([]);
  });

  it(
    'a declined request still reads "Request sent" to its requester; a cancelled one leaves both sides live',
    { timeout: 90_000 },
    async () => {
      const carla = await app.signUp('carla');
      const dora = await app.signUp('dora');
      const emil = await app.signUp('emil');

      await ask(carla, dora);
      await request(dora.page, 'Carla').waitFor();
      await dora.page.getByRole('button', { name: `Decline ${carla.name}`, exact: true }).click();
      await expect.poll(() => request(dora.page, 'Carla').count()).toBe(0);
      // Carla is not told, even after a reload.
      await carla.page.reload();
      await expect.poll(() => request(carla.page, 'Dora').textContent()).toContain('Request sent');

      await ask(carla, emil, 'Lunch?');
      await request(emil.page, 'Carla').waitFor();
      await carla.page.getByRole('button', { name: `Cancel request to ${emil.name}`, exact: true }).click();
      await expect.poll(() => request(carla.page, 'Emil').count()).toBe(0);
      await expect.poll(() => request(emil.page, 'Carla').count()).toBe(0);
      expect(await emil.page.getByTestId('requests-badge').count()).toBe(0);
      expect(carla.page.errors).toEqual([]);
      expect(emil.page.errors).toEqual([]);
    },
  );
});
