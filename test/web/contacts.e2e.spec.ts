import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contactItem, E2eApp, texts } from './support/e2e-app.js';

const app = new E2eApp('ce');

beforeAll(() => app.start(), 120_000);
afterAll(() => app.stop());
afterEach(() => app.closeContexts());

describe('Contacts against a real server', () => {
  it('adding a second contact keeps the tab live, and the new contact shows online', { timeout: 90_000 }, async () => {
    const anna = await app.signUp('anna');
    const boris = await app.signUp('boris');
    const carla = await app.signUp('carla');
    await app.addContact(anna, boris);
    await app.addContact(anna, carla);

    await expect.poll(() => contactItem(anna.page, 'Carla').getByTestId('presence').getAttribute('data-online')).toBe('true');

    await contactItem(boris.page, 'Anna').click();
    await boris.page.getByTestId('composer-input').fill('Still there?');
    await boris.page.getByTestId('composer-input').press('Enter');
    await expect.poll(() => contactItem(anna.page, 'Boris').getByTestId('unread-badge').textContent(), { timeout: 10_000 }).toBe('1');
    await contactItem(anna.page, 'Boris').click();
    await expect.poll(() => texts(anna.page)).toEqual(['Still there?']);
    expect(anna.page.errors).toEqual([]);
  });

  it('a reducer that throws does not stop the tab: it logs, shows a notice, resyncs and keeps receiving', { timeout: 90_000 }, async () => {
    const anna = await app.signUp('anna');
    const boris = await app.signUp('boris');
    await app.addContact(anna, boris);

    // Boris's row, corrupted so that a reducer rebuilding it throws (the view only reads its fields).
    await anna.page.evaluate(() => {
      const client = (
        document.querySelector('derbel-app') as unknown as { client: { contacts: { update(f: (s: unknown) => unknown): void } } }
      ).client;
      client.contacts.update((state) => {
        const s = state as { contacts: object[] };
        const corrupt = (row: object) =>
          new Proxy(row, {
            ownKeys() {
              throw new Error('corrupt row');
            },
          });
        return { ...s, contacts: s.contacts.map(corrupt) };
      });
    });

    await contactItem(boris.page, 'Anna').click();
    await boris.page.getByTestId('composer-input').fill('first');
    await boris.page.getByTestId('composer-input').press('Enter');
    await anna.page.getByTestId('state-notice').waitFor({ timeout: 10_000 });
    await expect.poll(() => contactItem(anna.page, 'Boris').getByTestId('unread-badge').textContent(), { timeout: 10_000 }).toBe('1');

    await boris.page.getByTestId('composer-input').fill('second');
    await boris.page.getByTestId('composer-input').press('Enter');
    await expect.poll(() => contactItem(anna.page, 'Boris').getByTestId('unread-badge').textContent(), { timeout: 10_000 }).toBe('2');
    await contactItem(anna.page, 'Boris').click();
    await expect.poll(() => texts(anna.page)).toEqual(['first', 'second']);
    expect(anna.page.errors.filter((e) => !e.includes('Could not apply'))).toEqual([]);
  });
});
