import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './support/axe.js';
import { E2eApp, sendThroughApi } from './support/e2e-app.js';

// 72 messages in a few seconds: more than the default limit lets one person send.
const app = new E2eApp('se', { RATE_LIMIT_MESSAGES: '1000/1s' });

beforeAll(() => app.start(), 120_000);
afterAll(() => app.stop());
afterEach(() => app.closeContexts());

const fillers = (count: number) => Array.from({ length: count }, (_, n) => `filler message ${n + 1}`);

describe('Message search against a real server', () => {
  it(
    'Ctrl+K, type a prefix, see the match marked, open it: the conversation loads older history until the message shows, highlighted; then search only in it',
    { timeout: 90_000 },
    async () => {
      const anna = await app.signUp('anna');
      const bob = await app.signUp('bob', { colorScheme: 'dark' });
      await app.addContact(anna, bob);
      const carol = await app.signUp('carol');
      await app.addContact(carol, bob);
      // The hit first, then more than a history page (50) after it, sent through the api as the app would.
      const [hitId] = await sendThroughApi(anna, ['The blueberry pancakes recipe is in the shared folder', ...fillers(70)]);
      await sendThroughApi(carol, ['Pancakes on Sunday?']);

      const page = bob.page;
      await page.keyboard.press('Control+k');
      const input = page.getByTestId('search-input');
      await expect.poll(() => input.evaluate((element) => element.matches(':focus'))).toBe(true);
      await page.getByText('Search your messages: type a word or the start of one.').waitFor();
      await page.keyboard.type('zzyzx');
      await page.getByText('No messages match “zzyzx”.').waitFor();

      await input.fill('filler');
      await expect.poll(() => page.getByTestId('search-result').count()).toBe(20);
      await page.getByTestId('search-more').click();
      await expect.poll(() => page.getByTestId('search-result').count()).toBe(40);

      await input.fill('pancakes bluebe');
      const result = page.getByTestId('search-result');
      await expect.poll(() => result.count()).toBe(1);
      expect(await result.locator('.conversation').textContent()).toBe('Anna');
      expect(await result.locator('.sender').textContent()).toBe('Anna:');
      expect(await result.locator('mark').allTextContents()).toEqual(['blueberry', 'pancakes']);
      expect(await result.getAttribute('data-message-id')).toBe(hitId);
      const found = await seriousViolations(page, 'search results, dark');
      await page.screenshot({ path: 'test-results/web/search-dark.png' });

      await page.keyboard.press('ArrowDown');
      expect(await input.getAttribute('aria-activedescendant')).toBe('search-result-0');
      await page.keyboard.press('Enter');
      const hit = page.locator(`derbel-message:has([data-message-id="${hitId}"])`);
      await expect.poll(() => hit.getAttribute('highlighted'), { timeout: 15_000 }).toBe('');
      const inView = await hit.evaluate((element) => {
        const log = element.closest('[role="log"]') ?? (element.getRootNode() as ShadowRoot).querySelector('[role="log"]')!;
        const [box, view] = [element.getBoundingClientRect(), log.getBoundingClientRect()];
        return box.top >= view.top && box.bottom <= view.bottom;
      });
      expect(inView).toBe(true);
      expect(await page.getByTestId('message').count()).toBeGreaterThan(50);

      // From inside Anna's conversation, "In this conversation" leaves Carol's message out.
      await page.keyboard.press('Control+k');
      await input.fill('pancakes');
      await expect.poll(async () => (await result.locator('.conversation').allTextContents()).sort()).toEqual(['Anna', 'Carol']);
      await page.getByLabel('In this conversation (Anna)').check();
      await expect.poll(() => result.locator('.conversation').allTextContents()).toEqual(['Anna']);
      expect(found).toEqual([]);
      expect([...anna.page.errors, ...page.errors, ...carol.page.errors]).toEqual([]);
    },
  );
});
