import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contactItem, E2eApp } from './support/e2e-app.js';

const app = new E2eApp('th');

beforeAll(() => app.start(), 120_000);
afterAll(() => app.stop());
afterEach(() => app.closeContexts());

/** Relative luminance (0 black … 1 white) of a computed `rgb(…)` colour. */
function luminance(color: string) {
  const [r, g, b] = (color.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => Number(v) / 255);
  const linear = (c: number) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/** How the app, an input inside it and the composer look: 'dark' or 'light' (text must contrast either way). */
async function look(page: Page) {
  const colors = await page.evaluate(() => {
    const app = document.querySelector('derbel-app')!;
    const composer = app.shadowRoot!.querySelector('derbel-conversation')!.shadowRoot!.querySelector('derbel-composer')!;
    const textarea = composer.shadowRoot!.querySelector('textarea')!;
    return {
      app: getComputedStyle(app).backgroundColor,
      text: getComputedStyle(app).color,
      input: getComputedStyle(textarea).backgroundColor,
      inputText: getComputedStyle(textarea).color,
    };
  });
  const dark = (c: string) => luminance(c) < 0.2;
  const light = (c: string) => luminance(c) > 0.6;
  if ([colors.app, colors.input].every(dark) && [colors.text, colors.inputText].every(light)) return 'dark';
  if ([colors.app, colors.input].every(light) && [colors.text, colors.inputText].every(dark)) return 'light';
  return JSON.stringify(colors);
}

describe('Light and dark', () => {
  it('follows the system colour scheme, and the user can override it (kept across a reload)', { timeout: 90_000 }, async () => {
    const anna = await app.signUp('anna', { colorScheme: 'dark' });
    const boris = await app.signUp('boris');
    await app.addContact(anna, boris);
    await contactItem(anna.page, 'Boris').click();
    await contactItem(boris.page, 'Anna').click();

    await expect.poll(() => look(anna.page)).toBe('dark');
    await expect.poll(() => look(boris.page)).toBe('light');

    await anna.page.getByTestId('theme').selectOption('light');
    await expect.poll(() => look(anna.page)).toBe('light');
    await boris.page.getByTestId('theme').selectOption('dark');
    await expect.poll(() => look(boris.page)).toBe('dark');

    await boris.page.reload({ waitUntil: 'domcontentloaded' });
    await contactItem(boris.page, 'Anna').click();
    await expect.poll(() => look(boris.page)).toBe('dark');
    await boris.page.getByTestId('theme').selectOption('system');
    await expect.poll(() => look(boris.page)).toBe('light');
  });

  it('on a phone, every header control fits in the screen', { timeout: 60_000 }, async () => {
    const anna = await app.signUp('anna', { viewport: { width: 390, height: 844 } });
    const outside = await anna.page.evaluate(() => {
      const header = document.querySelector('derbel-app')!.shadowRoot!.querySelector('header')!;
      return [...header.querySelectorAll('a, button, select')]
        .filter((control) => {
          const box = control.getBoundingClientRect();
          return box.left < 0 || box.right > window.innerWidth;
        })
        .map((control) => control.getAttribute('data-testid') ?? control.textContent?.trim());
    });
    expect(outside).toEqual([]);
  });
});
