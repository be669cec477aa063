import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contactItem, E2eApp, texts } from './support/e2e-app.js';

const app = new E2eApp('cp');

beforeAll(() => app.start(), 120_000);
afterAll(() => app.stop());
afterEach(() => app.closeContexts());

describe('The composer against a real server', () => {
  it(
    'keeps a draft per conversation across switches and a reload, never sends it elsewhere, and clears it on send',
    { timeout: 90_000 },
    async () => {
      const anna = await app.signUp('anna');
      const bob = await app.signUp('bob');
      const carol = await app.signUp('carol');
      await app.addContact(anna, bob);
      await app.addContact(anna, carol);
      const input = anna.page.getByTestId('composer-input');

      await contactItem(anna.page, 'Bob').click();
      await input.fill('For Bob only');
      await contactItem(anna.page, 'Carol').click();
      await expect.poll(() => input.inputValue()).toBe('');
      await input.press('Enter');
      await input.fill('For Carol');

      await anna.page.reload({ waitUntil: 'domcontentloaded' });
      await contactItem(anna.page, 'Bob').click();
      await expect.poll(() => input.inputValue()).toBe('For Bob only');
      await contactItem(anna.page, 'Carol').click();
      await expect.poll(() => input.inputValue()).toBe('For Carol');
      await input.press('Enter');
      await expect.poll(() => texts(anna.page)).toEqual(['For Carol']);
      await expect.poll(() => input.inputValue()).toBe('');

      await contactItem(anna.page, 'Bob').click();
      await expect.poll(() => input.inputValue()).toBe('For Bob only');
      await input.press('Enter');
      await expect.poll(() => texts(anna.page)).toEqual(['For Bob only']);
      await anna.page.reload({ waitUntil: 'domcontentloaded' });
      await contactItem(anna.page, 'Bob').click();
      await expect.poll(() => texts(anna.page)).toEqual(['For Bob only']);
      expect(await input.inputValue()).toBe('');

      await contactItem(carol.page, 'Anna').click();
      await expect.poll(() => texts(carol.page)).toEqual(['For Carol']);
      expect(anna.page.errors).toEqual([]);
    },
  );

  it(
    'counts characters as the server does (code points): 2,001 emoji are sendable, a 2,500-emoji message is editable',
    { timeout: 90_000 },
    async () => {
      const anna = await app.signUp('anna');
      const bob = await app.signUp('bob');
      await app.addContact(anna, bob);
      await contactItem(anna.page, 'Bob').click();
      const input = anna.page.getByTestId('composer-input');

      const emoji = '😀'.repeat(2001);
      await input.fill(emoji);
      await expect.poll(() => anna.page.getByTestId('send').isEnabled()).toBe(true);
      expect(await anna.page.getByText('/ 4000 characters').count()).toBe(0);
      await input.press('Enter');
      await expect.poll(() => anna.page.getByTestId('message').last().getAttribute('data-status'), { timeout: 10_000 }).toBe('sent');

      await input.fill('😀'.repeat(4001));
      await anna.page.getByText('4001 / 4000 characters').waitFor();
      expect(await anna.page.getByTestId('send').isEnabled()).toBe(false);
      await input.fill('😀'.repeat(2500));
      await input.press('Enter');
      await expect.poll(() => anna.page.getByTestId('message').last().getAttribute('data-status'), { timeout: 10_000 }).toBe('sent');

      const last = anna.page.getByTestId('message').last();
      await last.hover();
      await last.getByTestId('edit-message').click();
      await last.getByTestId('edit-input').press('End');
      await anna.page.keyboard.type('!');
      await last.getByTestId('save-edit').click();

      await contactItem(bob.page, 'Anna').click();
      // Compared by summary: a failure message with 4,500 emoji is unreadable.
      const summary = (list: string[]) =>
        list.map(
          (text) =>
            `${[...text].length} chars, ${text === emoji ? '2001 emoji' : text === `${'😀'.repeat(2500)}!` ? '2500 emoji and !' : 'other'}`,
        );
      await expect.poll(async () => summary(await texts(bob.page))).toEqual(['2001 chars, 2001 emoji', '2501 chars, 2500 emoji and !']);
      expect(anna.page.errors).toEqual([]);
    },
  );
});
