import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contactItem, E2eApp } from './support/e2e-app.js';

const app = new E2eApp('at', { MEETING_RING_TIMEOUT_MS: '4000' });

beforeAll(() => app.start(), 120_000);
afterAll(() => app.stop());
afterEach(() => app.closeContexts());

const favicon = (page: import('playwright-core').Page) => page.evaluate(() => document.querySelector<HTMLLinkElement>('link[rel="icon"]')?.href ?? '');

describe('What draws attention to a background tab, against a real server', () => {
  it('shows the unread total in the title and the favicon', { timeout: 90_000 }, async () => {
    const anna = await app.signUp('anna');
    const boris = await app.signUp('boris');
    await app.addContact(anna, boris);
    await expect.poll(() => boris.page.title()).toBe('Derbel');
    const plainIcon = await favicon(boris.page);

    await contactItem(anna.page, 'Boris').click();
    for (const text of ['one', 'two']) {
      await anna.page.getByTestId('composer-input').fill(text);
      await anna.page.getByTestId('composer-input').press('Enter');
    }
    await expect.poll(() => boris.page.title()).toBe('(2) Derbel');
    const badgedIcon = await favicon(boris.page);
    expect(badgedIcon).not.toBe(plainIcon);
    expect(decodeURIComponent(badgedIcon)).toContain('>2<');

    await contactItem(boris.page, 'Anna').click();
    await expect.poll(() => boris.page.title()).toBe('Derbel');
    await expect.poll(() => favicon(boris.page)).toBe(plainIcon);
  });

  it('a missed call badges Calls and puts the conversation on top with "Missed call" until seen, across a reload', { timeout: 120_000 }, async () => {
    const anna = await app.signUp('anna');
    const boris = await app.signUp('boris');
    const carla = await app.signUp('carla');
    await app.addContact(boris, anna);
    await app.addContact(boris, carla);
    await contactItem(carla.page, 'Boris').click();
    await carla.page.getByTestId('composer-input').fill('A newer message');
    await carla.page.getByTestId('composer-input').press('Enter');
    const names = () => boris.page.getByTestId('contact-item').locator('.name').allTextContents();
    await expect.poll(names).toEqual(['Carla', 'Anna']);

    await contactItem(anna.page, 'Boris').click();
    await anna.page.getByTestId('call-button').click();
    await anna.page.getByTestId('start-call').click();
    await boris.page.getByRole('alertdialog').waitFor();
    await anna.page.getByTestId('call-ended').getByText('No answer.').waitFor({ timeout: 30_000 });

    const missed = contactItem(boris.page, 'Anna').getByTestId('missed-call');
    await expect.poll(names, { timeout: 10_000 }).toEqual(['Anna', 'Carla']);
    await missed.waitFor();
    await expect.poll(() => boris.page.getByTestId('calls-badge').textContent()).toBe('1');
    await expect.poll(() => boris.page.title()).toBe('(2) Derbel');

    await boris.page.reload({ waitUntil: 'domcontentloaded' });
    await expect.poll(names, { timeout: 10_000 }).toEqual(['Anna', 'Carla']);
    await missed.waitFor();
    await expect.poll(() => boris.page.getByTestId('calls-badge').textContent()).toBe('1');

    await boris.page.getByTestId('calls-link').click();
    await boris.page.getByTestId('call-log-entry').first().waitFor();
    await expect.poll(() => boris.page.getByTestId('calls-badge').count()).toBe(0);
    await missed.waitFor();
    await contactItem(boris.page, 'Anna').click();
    await expect.poll(() => missed.count()).toBe(0);
    await boris.page.reload({ waitUntil: 'domcontentloaded' });
    await contactItem(boris.page, 'Anna').waitFor();
    expect(await missed.count()).toBe(0);
    expect(await boris.page.getByTestId('calls-badge').count()).toBe(0);
  });
});
