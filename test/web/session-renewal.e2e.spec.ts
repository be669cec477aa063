import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { videoFlows } from './support/call-page.js';
import { contactItem, E2eApp, texts } from './support/e2e-app.js';

/**
 * An access token's life in this spec. The app renews at three quarters of it, so 10 s leaves 2.5 s for a
 * renewal on a busy machine; the production default is 15 minutes, which nothing here depends on.
 */
const TOKEN_SECONDS = 10;
/** How many access tokens' lifetimes the two people stay: each one has to be renewed, the renewed one too. */
const LIFETIMES = 2;

/**
 * Issue 14: with short access tokens, two people chat and stay in a call for two of their lifetimes. The
 * app renews their sessions as it goes: nobody sees the sign-in screen, no message is lost, the call's
 * video keeps flowing, and the sockets are never dropped for an expired token.
 */
describe('sessions that slide, in Chromium against the real server', () => {
  const e2e = new E2eApp('slide', { JWT_EXPIRES_IN: String(TOKEN_SECONDS), SESSION_IDLE_TIMEOUT: '10m', SESSION_MAX_AGE: '1h' });
  beforeAll(() => e2e.start(), 120_000);
  afterAll(() => e2e.stop());

  it("keeps two people signed in, chatting and in a call for two access tokens' lifetimes", async () => {
    const a = await e2e.signUp('ana');
    const b = await e2e.signUp('bo');
    await e2e.addContact(a, b);
    await contactItem(a.page, b.displayName).click();
    await contactItem(b.page, a.displayName).click();
    const expiries: number[] = [];
    for (const person of [a, b]) {
      await person.page.evaluate(() => {
        const app = document.querySelector('derbel-app') as unknown as {
          client: { realtime: { on(type: string, f: (e: unknown) => void): void } };
        };
        (window as unknown as { unauthorized: number }).unauthorized = 0;
        app.client.realtime.on('unauthorized', () => (window as unknown as { unauthorized: number }).unauthorized++);
      });
    }

    await a.page.getByTestId('call-button').click();
    await a.page.getByTestId('start-call').click();
    await b.page.getByRole('alertdialog').getByRole('button', { name: 'Accept' }).click();
    await Promise.all([videoFlows(a.page), videoFlows(b.page)]);

    const sent: string[] = [];
    const started = Date.now();
    for (let i = 0; Date.now() - started < LIFETIMES * TOKEN_SECONDS * 1000; i++) {
      const from = i % 2 === 0 ? a : b;
      const text = `message ${i} at ${Math.round((Date.now() - started) / 1000)} s`;
      await from.page.getByTestId('composer-input').fill(text);
      await from.page.getByTestId('composer-input').press('Enter');
      sent.push(text);
      await expect.poll(() => texts(a.page), { timeout: 15_000 }).toEqual(sent);
      await expect.poll(() => texts(b.page), { timeout: 15_000 }).toEqual(sent);
      // A quarter of a lifetime between messages: each token's life sees more than one.
      await new Promise((r) => setTimeout(r, (TOKEN_SECONDS * 1000) / 4));
    }
    // More than two access tokens' lifetimes later: still signed in, still in the call, video still flowing.
    for (const person of [a, b]) {
      await person.page.getByTestId('signed-in-as').waitFor({ timeout: 1_000 });
      await person.page.getByTestId('call-view').waitFor({ timeout: 1_000 });
      expiries.push(await person.page.evaluate(() => (window as unknown as { unauthorized: number }).unauthorized));
    }
    await Promise.all([videoFlows(a.page), videoFlows(b.page)]);
    expect(expiries).toEqual([0, 0]);
    expect(sent.length).toBeGreaterThan(LIFETIMES * 2);
  }, 240_000);
});
