import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contactItem, E2eApp, type Person, texts } from './support/e2e-app.js';

const app = new E2eApp('cl');

beforeAll(() => app.start(), 120_000);
afterAll(() => app.stop());
afterEach(() => app.closeContexts());

/** Two contacts, each with the conversation open. */
async function pair(): Promise<{ anna: Person; boris: Person }> {
  const anna = await app.signUp('anna');
  const boris = await app.signUp('boris');
  await app.addContact(anna, boris);
  await contactItem(anna.page, 'Boris').click();
  await contactItem(boris.page, 'Anna').click();
  return { anna, boris };
}

/** Which element has keyboard focus, through shadow roots: its data-testid (or tag name). */
const focused = (page: Page) =>
  page.evaluate(() => {
    let element = document.activeElement;
    while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement;
    return element?.getAttribute('data-testid') ?? element?.tagName.toLowerCase() ?? null;
  });

async function ring(caller: Person, callee: Person) {
  await caller.page.getByTestId('call-button').click();
  await caller.page.getByTestId('start-call').click();
  await callee.page.getByRole('alertdialog').waitFor();
}

describe('Calls against a real server', () => {
  it('an incoming call leaves focus in the composer: Enter sends the message, only the Accept button answers', { timeout: 90_000 }, async () => {
    const { anna, boris } = await pair();
    const input = boris.page.getByTestId('composer-input');
    await input.click();
    await input.pressSequentially('I am typ');
    await ring(anna, boris);
    await boris.page.keyboard.type('ing');
    await boris.page.keyboard.press('Enter');
    await expect.poll(() => texts(anna.page)).toEqual(['I am typing']);
    expect(await focused(boris.page)).toBe('composer-input');
    expect(await boris.page.getByTestId('call-view').count()).toBe(0);
    await boris.page.getByRole('alertdialog').waitFor();

    await boris.page.getByRole('alertdialog').getByRole('button', { name: 'Accept' }).click();
    await boris.page.getByTestId('call-view').waitFor();
    expect(boris.page.errors).toEqual([]);
  });
});
