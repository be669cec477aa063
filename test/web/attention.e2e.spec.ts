import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contactItem, E2eApp } from './support/e2e-app.js';

const app = new E2eApp('at', { MEETING_RING_TIMEOUT_MS: '4000' });

beforeAll(() => app.start(), 120_000);
afterAll(() => app.stop());
afterEach(() => app.closeContexts());

const favicon = (page: import('playwright-core').Page) =>
  page.evaluate(() => document.querySelector<HTMLLinkElement>('link[rel="icon"]')?.href ?? '');

/**
 * The operating system's side of notifications, which headless Chromium does not show: a recording
 * stand-in for `Notification` (permission granted once asked), and a switch for whether the tab is hidden.
 */
const fakeDesktop = () => {
  const w = window as unknown as { shown: Array<{ title: string; body?: string }>; asked: number; hidden: boolean };
  w.shown = [];
  w.asked = 0;
  w.hidden = false;
  class FakeNotification extends EventTarget {
    static permission: NotificationPermission = 'default';
    static async requestPermission() {
      w.asked++;
      FakeNotification.permission = 'granted';
      return FakeNotification.permission;
    }
    onclick: ((event: Event) => void) | null = null;
    constructor(title: string, options: NotificationOptions = {}) {
      super();
      w.shown.push({ title, body: options.body });
    }
    close() {}
  }
  Object.defineProperty(window, 'Notification', { value: FakeNotification, configurable: true });
  Object.defineProperty(Document.prototype, 'visibilityState', { get: () => (w.hidden ? 'hidden' : 'visible'), configurable: true });
  Object.defineProperty(Document.prototype, 'hidden', { get: () => w.hidden, configurable: true });
};

const desktop = (page: import('playwright-core').Page) =>
  page.evaluate(() => {
    const w = window as unknown as { shown: Array<{ title: string; body?: string }>; asked: number };
    return { shown: w.shown, asked: w.asked };
  });

const setHidden = (page: import('playwright-core').Page, hidden: boolean) =>
  page.evaluate((value) => {
    (window as unknown as { hidden: boolean }).hidden = value;
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);

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

  it(
    'a missed call badges Calls and puts the conversation on top with "Missed call" until seen, across a reload',
    { timeout: 120_000 },
    async () => {
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
    },
  );

  it(
    'desktop notifications for messages and calls while the tab is hidden, once turned on by the user, and a setting to turn them off',
    { timeout: 120_000 },
    async () => {
      const anna = await app.signUp('anna');
      const boris = await app.signUp('boris');
      await boris.context.addInitScript(fakeDesktop);
      await boris.page.reload({ waitUntil: 'domcontentloaded' });
      await app.addContact(anna, boris);
      await contactItem(anna.page, 'Boris').click();
      const say = async (text: string) => {
        await anna.page.getByTestId('composer-input').fill(text);
        await anna.page.getByTestId('composer-input').press('Enter');
      };
      const unread = () => contactItem(boris.page, 'Anna').getByTestId('unread-badge').textContent();
      const toggle = boris.page.getByTestId('notifications-toggle');

      await toggle.waitFor();
      expect(await desktop(boris.page)).toEqual({ shown: [], asked: 0 });
      await setHidden(boris.page, true);
      await say('before turning them on');
      await expect.poll(unread).toBe('1');
      expect((await desktop(boris.page)).shown).toEqual([]);

      await setHidden(boris.page, false);
      await toggle.click();
      await expect.poll(() => toggle.getAttribute('aria-pressed')).toBe('true');
      expect((await desktop(boris.page)).asked).toBe(1);

      await setHidden(boris.page, true);
      await say('ping');
      await expect.poll(async () => (await desktop(boris.page)).shown).toEqual([{ title: 'Anna', body: 'ping' }]);
      await setHidden(boris.page, false);
      await say('while looking');
      await expect.poll(unread).toBe('3');
      expect((await desktop(boris.page)).shown).toHaveLength(1);

      await setHidden(boris.page, true);
      await anna.page.getByTestId('call-button').click();
      await anna.page.getByTestId('start-call').click();
      await expect.poll(async () => (await desktop(boris.page)).shown.map((n) => n.title)).toEqual(['Anna', 'Anna is calling you']);
      await boris.page.getByRole('alertdialog').getByRole('button', { name: 'Decline' }).click();

      await setHidden(boris.page, false);
      await toggle.click();
      await expect.poll(() => toggle.getAttribute('aria-pressed')).toBe('false');
      await boris.page.reload({ waitUntil: 'domcontentloaded' });
      await expect.poll(() => toggle.getAttribute('aria-pressed')).toBe('false');
      await setHidden(boris.page, true);
      await say('after turning them off');
      await expect.poll(unread).toBe('4');
      expect((await desktop(boris.page)).shown).toEqual([]);
    },
  );
});
