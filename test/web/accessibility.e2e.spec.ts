import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations as serious } from './support/axe.js';
import { openPage } from './support/browser.js';
import { videoFlows } from './support/call-page.js';
import { contactItem, E2eApp } from './support/e2e-app.js';

const app = new E2eApp('ax');

beforeAll(() => app.start(), 120_000);
afterAll(() => app.stop());
afterEach(() => app.closeContexts());

describe('Accessibility of the main screens (axe-core)', () => {
  it(
    'has no serious or critical violations: sign-in, conversation (light, dark, phone), call log, incoming call, call',
    { timeout: 180_000 },
    async () => {
      const found: string[] = [];
      const visitor = await openPage(await app.newContext(), app.server.url);
      await visitor.getByRole('button', { name: 'Sign in' }).waitFor();
      found.push(...(await serious(visitor, 'sign-in')));

      const anna = await app.signUp('anna');
      const boris = await app.signUp('boris', { colorScheme: 'dark' });
      await app.addContact(anna, boris);
      await contactItem(anna.page, 'Boris').click();
      await anna.page.getByTestId('composer-input').fill('Hello, see https://example.com');
      await anna.page.getByTestId('composer-input').press('Enter');
      await contactItem(boris.page, 'Anna').click();
      await boris.page.getByTestId('message-text').getByText('Hello, see').waitFor();
      await anna.page.getByTestId('seen').waitFor();
      found.push(...(await serious(anna.page, 'conversation')));
      found.push(...(await serious(boris.page, 'conversation, dark')));

      await anna.page.setViewportSize({ width: 390, height: 844 });
      found.push(...(await serious(anna.page, 'conversation, phone')));
      await anna.page.setViewportSize({ width: 1100, height: 760 });

      await anna.page.getByTestId('call-button').click();
      await anna.page.getByTestId('call-lobby').waitFor();
      found.push(...(await serious(anna.page, 'call lobby')));
      await anna.page.getByTestId('start-call').click();
      await boris.page.getByRole('alertdialog').waitFor();
      found.push(...(await serious(boris.page, 'incoming call')));
      await boris.page.getByRole('alertdialog').getByRole('button', { name: 'Accept' }).click();
      await Promise.all([videoFlows(anna.page), videoFlows(boris.page)]);
      found.push(...(await serious(anna.page, 'in call')));
      await anna.page.getByTestId('end-call').click();
      await boris.page.getByTestId('call-ended').waitFor();
      found.push(...(await serious(boris.page, 'call ended')));
      await boris.page.getByRole('button', { name: 'Close' }).click();

      await anna.page.getByTestId('calls-link').click();
      await anna.page.getByTestId('call-log-entry').first().waitFor();
      found.push(...(await serious(anna.page, 'call log')));
      expect(found).toEqual([]);
    },
  );

  it('every control of the conversation screen is reached with Tab, with a visible focus indicator', { timeout: 90_000 }, async () => {
    const anna = await app.signUp('anna');
    const boris = await app.signUp('boris');
    await app.addContact(anna, boris);
    await contactItem(anna.page, 'Boris').click();
    await anna.page.getByTestId('composer-input').fill('draft');
    await anna.page.locator('body').click({ position: { x: 1, y: 1 } });

    const stops: Array<{ id: string; visible: boolean }> = [];
    for (let i = 0; i < 25; i++) {
      await anna.page.keyboard.press('Tab');
      stops.push(
        await anna.page.evaluate(() => {
          let element = document.activeElement;
          while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement;
          if (!element || element === document.body) return { id: 'body', visible: true };
          const style = getComputedStyle(element);
          const visible = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
          return {
            id: element.getAttribute('data-testid') ?? element.getAttribute('aria-label') ?? element.tagName.toLowerCase(),
            visible,
          };
        }),
      );
    }
    const reached = new Set(stops.map((stop) => stop.id));
    for (const control of [
      'notifications-toggle',
      'theme',
      'sign-out',
      'add-contact-input',
      'contact-item',
      'call-button',
      'conversation-menu',
      'composer-input',
      'send',
    ]) {
      expect(reached, control).toContain(control);
    }
    expect(stops.filter((stop) => !stop.visible).map((stop) => stop.id)).toEqual([]);
  });

  it(
    'has no serious or critical violations: requests (light, dark), the block confirmation, Settings with blocked users',
    { timeout: 120_000 },
    async () => {
      const found: string[] = [];
      const anna = await app.signUp('anna');
      const boris = await app.signUp('boris', { colorScheme: 'dark' });
      await anna.page.getByTestId('add-contact-input').fill(boris.name);
      await anna.page.getByLabel('First message (optional)').fill('Hello Boris');
      found.push(...(await serious(anna.page, 'add contact with a first message')));
      await anna.page.getByTestId('add-contact-input').press('Enter');
      await anna.page.getByTestId('contact-request').waitFor();
      found.push(...(await serious(anna.page, 'request sent')));
      await boris.page.getByTestId('requests-badge').waitFor();
      found.push(...(await serious(boris.page, 'incoming request, dark')));
      await boris.page.getByRole('button', { name: `Block ${anna.name}`, exact: true }).click();
      await boris.page.getByRole('dialog').waitFor();
      found.push(...(await serious(boris.page, 'block confirmation, dark')));
      await boris.page.getByRole('dialog').getByRole('button', { name: 'Block' }).click();
      await boris.page.getByTestId('settings-link').click();
      await boris.page.getByTestId('blocked-user').waitFor();
      found.push(...(await serious(boris.page, 'settings, dark')));
      expect(found).toEqual([]);
    },
  );
});
