import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contactItem, E2eApp, texts } from './support/e2e-app.js';

const app = new E2eApp('cp');

beforeAll(() => app.start(), 120_000);
afterAll(() => app.stop());
afterEach(() => app.closeContexts());

describe('The composer against a real server', () => {
  it('keeps a draft per conversation across switches and a reload, never sends it elsewhere, and clears it on send', { timeout: 90_000 }, async () => {
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
  });
});
