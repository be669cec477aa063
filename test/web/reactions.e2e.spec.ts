import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './support/axe.js';
import { contactItem, E2eApp, openConversation, texts, type Person, say } from './support/e2e-app.js';

// A long window, so the rate limit is reached on purpose in the last test and never by chance elsewhere.
const app = new E2eApp('re', { RATE_LIMIT_EDITS: '40/5m' });

beforeAll(() => app.start(), 120_000);
afterAll(() => app.stop());
afterEach(() => app.closeContexts());

const chip = (page: Page, emoji: string) => page.locator(`[data-testid="reaction-chip"][data-emoji="${emoji}"]`);
const chipLabels = (page: Page) => page.getByTestId('reaction-chip').evaluateAll((chips) => chips.map((c) => c.getAttribute('aria-label')));

/** Whether the element lies wholly inside the visible part of its conversation's message log. */
const inLogView = (locator: Locator) =>
  locator.evaluate((element) => {
    let node: Node = element;
    for (;;) {
      const root = node.getRootNode() as ShadowRoot | Document;
      const log = root.querySelector('[role="log"]');
      if (log) {
        const [box, view] = [element.getBoundingClientRect(), log.getBoundingClientRect()];
        return box.top >= view.top && box.bottom <= view.bottom;
      }
      if (!(root instanceof ShadowRoot)) return false;
      node = root.host;
    }
  });

/** Opens the reaction picker on the message with this text (hovering it shows the button). */
async function openPicker(page: Page, text: string) {
  const message = page.getByTestId('message').filter({ hasText: text });
  await message.hover();
  await message.getByTestId('add-reaction').click();
  await page.getByTestId('reaction-picker').getByTestId('quick-reaction').first().waitFor();
}

/** Reactions added or removed through the person's api client, as the app would send them; the status of each answer. */
function reactThroughApi(person: Person, changes: Array<{ emoji: string; on: boolean }>) {
  return person.page.evaluate(async (changes) => {
    const { client } = document.querySelector('derbel-app') as unknown as {
      client: {
        contacts: { value: { contacts: Array<{ id: string; lastMessage: { id: string } | null }> } };
        api: { setReaction(contactId: string, messageId: string, emoji: string, on: boolean): Promise<unknown> };
      };
    };
    const [contact] = client.contacts.value.contacts;
    const statuses: number[] = [];
    for (const { emoji, on } of changes) {
      statuses.push(
        await client.api.setReaction(contact.id, contact.lastMessage!.id, emoji, on).then(
          () => 200,
          (error: { statusCode: number }) => error.statusCode,
        ),
      );
    }
    return statuses;
  }, changes);
}

/** Every request a person's pages make to another origin than the Derbel server's. */
function foreignRequests(person: Person, origin: string) {
  const foreign: string[] = [];
  person.context.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol !== 'data:' && url.protocol !== 'blob:' && url.origin !== origin) foreign.push(request.url());
  });
  return foreign;
}

/** Counts the reaction events the person's client applies from the feed. */
async function countReactionEvents(page: Page) {
  await page.evaluate(() => {
    const { client } = document.querySelector('derbel-app') as unknown as {
      client: { events: { on(type: 'feed', listener: (event: { type: string }) => void): void } };
    };
    (window as unknown as { reactionEvents: number }).reactionEvents = 0;
    client.events.on('feed', (event) => {
      if (event.type.startsWith('Reaction')) (window as unknown as { reactionEvents: number }).reactionEvents++;
    });
  });
  return () => page.evaluate(() => (window as unknown as { reactionEvents: number }).reactionEvents);
}

describe('Reactions against a real server', () => {
  it(
    'react from the quick picker, see it live, toggle by the chip, pick from the full picker served by our own origin',
    { timeout: 120_000 },
    async () => {
      const anna = await app.signUp('anna');
      const bob = await app.signUp('bob', { colorScheme: 'dark' });
      const origin = new URL(app.server.url).origin;
      const annaForeign = foreignRequests(anna, origin);
      const bobForeign = foreignRequests(bob, origin);
      const emojiData: string[] = [];
      anna.context.on('request', (request) => request.url().includes('/emoji/') && emojiData.push(request.url()));
      await app.addContact(anna, bob);
      await contactItem(anna.page, 'Bob').click();
      await contactItem(bob.page, 'Anna').click();
      // Enough before it that the log scrolls: the chips that appear on the last message must stay in view.
      const earlier = Array.from({ length: 16 }, (_, n) => `Earlier ${n + 1}`);
      for (const text of earlier) await say(anna, text);
      await say(anna, 'Lunch at noon?');
      await expect.poll(() => texts(bob.page)).toEqual([...earlier, 'Lunch at noon?']);

      // Anna, by keyboard: the message's "Add reaction", the first of the common ones.
      const message = anna.page.getByTestId('message').filter({ hasText: 'Lunch at noon?' });
      await message.getByTestId('add-reaction').focus();
      await anna.page.keyboard.press('Enter');
      const quick = anna.page.getByTestId('reaction-picker').getByTestId('quick-reaction');
      await expect
        .poll(() => quick.evaluateAll((buttons) => buttons.map((b) => b.getAttribute('data-emoji'))))
        .toEqual(['👍', '❤️', '😂', '😮', '😢', '🙏']);
      await expect.poll(() => quick.first().evaluate((button) => button.matches(':focus'))).toBe(true);
      expect(await seriousViolations(anna.page, 'reaction picker, light')).toEqual([]);
      await anna.page.keyboard.press('Enter');
      await anna.page.getByTestId('reaction-picker').waitFor({ state: 'hidden' });
      await expect.poll(() => message.getByTestId('add-reaction').evaluate((button) => button.matches(':focus'))).toBe(true);

      await expect.poll(() => chipLabels(bob.page)).toEqual(['👍 1: Anna']);
      await expect.poll(() => inLogView(chip(bob.page, '👍'))).toBe(true);
      expect(await chip(bob.page, '👍').getAttribute('aria-pressed')).toBe('false');
      expect(await chipLabels(anna.page)).toEqual(['👍 1: You']);
      expect(await chip(anna.page, '👍').getAttribute('aria-pressed')).toBe('true');

      await chip(bob.page, '👍').click();
      await expect.poll(() => chipLabels(bob.page)).toEqual(['👍 2: Anna and you']);
      expect(await chip(bob.page, '👍').getAttribute('aria-pressed')).toBe('true');
      expect(await chip(bob.page, '👍').getAttribute('title')).toBe('Anna and you reacted with 👍');
      await expect.poll(() => chipLabels(anna.page)).toEqual(['👍 2: Bob and you']);
      expect(await seriousViolations(bob.page, 'reaction chips, dark')).toEqual([]);
      await bob.page.screenshot({ path: 'test-results/web/reactions-dark.png' });

      await chip(bob.page, '👍').click();
      await expect.poll(() => chipLabels(bob.page)).toEqual(['👍 1: Anna']);
      expect(await chip(bob.page, '👍').getAttribute('aria-pressed')).toBe('false');
      await expect.poll(() => chipLabels(anna.page)).toEqual(['👍 1: You']);

      // The full picker, loaded on demand, its data from the Derbel server.
      await openPicker(anna.page, 'Lunch at noon?');
      await anna.page.getByTestId('more-reactions').click();
      const search = anna.page.locator('emoji-picker input[type="search"]');
      await search.waitFor();
      await search.fill('party popper');
      const option = anna.page
        .locator('emoji-picker')
        .getByRole('option', { name: /party popper/i })
        .first();
      await option.waitFor();
      expect(await seriousViolations(anna.page, 'full emoji picker, light')).toEqual([]);
      await anna.page.screenshot({ path: 'test-results/web/reactions-picker-light.png' });
      await option.click();
      await expect.poll(() => chipLabels(bob.page)).toEqual(['👍 1: Anna', '🎉 1: Anna']);
      await expect.poll(() => chipLabels(anna.page)).toEqual(['👍 1: You', '🎉 1: You']);
      expect(emojiData).toContain(`${origin}/emoji/data.json`);
      expect(annaForeign).toEqual([]);
      expect(bobForeign).toEqual([]);

      // Bob's full picker is dark like his app, and its data too came from the Derbel server.
      await openPicker(bob.page, 'Lunch at noon?');
      await bob.page.getByTestId('more-reactions').click();
      const bobPicker = bob.page.locator('emoji-picker');
      await bobPicker.locator('input[type="search"]').waitFor();
      expect(await bobPicker.getAttribute('class')).toBe('dark');
      const background = await bobPicker.evaluate((picker) => getComputedStyle(picker).getPropertyValue('--background').trim());
      expect(background).toBe('#15151c');
      expect(await seriousViolations(bob.page, 'full emoji picker, dark')).toEqual([]);
      await bob.page.screenshot({ path: 'test-results/web/reactions-picker-dark.png' });
      await bob.page.keyboard.press('Escape');
      await bob.page.getByTestId('reaction-picker').waitFor({ state: 'hidden' });
      const bobsButton = bob.page.getByTestId('message').filter({ hasText: 'Lunch at noon?' }).getByTestId('add-reaction');
      await expect.poll(() => bobsButton.evaluate((button) => button.matches(':focus'))).toBe(true);
      expect(bobForeign).toEqual([]);

      // History carries them: a reload shows the same chips.
      await bob.page.reload();
      await contactItem(bob.page, 'Anna').click();
      await expect.poll(() => chipLabels(bob.page)).toEqual(['👍 1: Anna', '🎉 1: Anna']);
    },
  );

  it(
    'in a group of three the chip names who reacted; reactions change no unread count nor the order of the list',
    { timeout: 150_000 },
    async () => {
      const [anna, bob, carol] = await Promise.all(['anna', 'bob', 'carol'].map((name) => app.signUp(name)));
      await app.addContact(anna, bob);
      await app.addContact(anna, carol);
      await app.createGroup(anna, 'Trip', [bob, carol]);
      await say(anna, 'Train or plane?');
      await openConversation(anna, 'Carol');
      await say(anna, 'Psst');
      // Carol is elsewhere: both conversations count one unread, the direct one (newer) first.
      const names = () => carol.page.getByTestId('contact-item').locator('span.name').allTextContents();
      await expect.poll(() => contactItem(carol.page, 'Anna').getByTestId('unread-badge').textContent()).toBe('1');
      await expect.poll(() => contactItem(carol.page, 'Trip').getByTestId('unread-badge').textContent()).toBe('1');
      const before = (await names()).map((name) => name.trim());
      expect(before.indexOf('Anna')).toBeLessThan(before.indexOf('Trip'));
      const reactionEvents = await countReactionEvents(carol.page);

      await contactItem(bob.page, 'Trip').click();
      await openPicker(bob.page, 'Train or plane?');
      await bob.page.getByTestId('reaction-picker').locator('[data-emoji="🙏"]').click();
      await contactItem(anna.page, 'Trip').click();
      await expect.poll(() => chipLabels(anna.page)).toEqual(['🙏 1: Bob']);
      await chip(anna.page, '🙏').click();
      await expect.poll(() => chipLabels(bob.page)).toEqual(['🙏 2: Anna and you']);

      // Carol's client applied both, and nothing moved or counted.
      await expect.poll(reactionEvents).toBe(2);
      expect((await names()).map((name) => name.trim())).toEqual(before);
      expect(await contactItem(carol.page, 'Trip').getByTestId('unread-badge').textContent()).toBe('1');
      expect(await contactItem(carol.page, 'Anna').getByTestId('unread-badge').textContent()).toBe('1');

      await contactItem(carol.page, 'Trip').click();
      await expect.poll(() => chipLabels(carol.page)).toEqual(['🙏 2: Bob and Anna']);
      await chip(carol.page, '🙏').click();
      await expect.poll(() => chipLabels(anna.page)).toEqual(['🙏 3: Bob, Carol and you']);
      await expect.poll(() => chipLabels(bob.page)).toEqual(['🙏 3: Anna, Carol and you']);
      expect(await chip(carol.page, '🙏').getAttribute('aria-pressed')).toBe('true');
    },
  );

  it(
    'a refused reaction is taken back with a notice: the 21st different emoji, then too many too quickly',
    { timeout: 120_000 },
    async () => {
      const anna = await app.signUp('anna');
      const bob = await app.signUp('bob');
      await app.addContact(anna, bob);
      await contactItem(anna.page, 'Bob').click();
      await contactItem(bob.page, 'Anna').click();
      await say(anna, 'Rate my jokes');
      await expect.poll(() => texts(bob.page)).toEqual(['Rate my jokes']);
      const twenty = [...'😀😁😃😄😅😆😉😊😋😎😍😘😗😙😚🙂🤗🤩🤔🙃'];
      expect(
        await reactThroughApi(
          bob,
          twenty.map((emoji) => ({ emoji, on: true })),
        ),
      ).toEqual(twenty.map(() => 200));
      await expect.poll(() => anna.page.getByTestId('reaction-chip').count()).toBe(20);

      await openPicker(anna.page, 'Rate my jokes');
      await anna.page.getByTestId('reaction-picker').locator('[data-emoji="👍"]').click();
      await anna.page.getByRole('alert').filter({ hasText: 'This message has the maximum number of different reactions.' }).waitFor();
      await expect.poll(() => anna.page.getByTestId('reaction-chip').count()).toBe(20);
      expect(await chip(anna.page, '👍').count()).toBe(0);

      // Bob uses up his edits (40 in the window), then presses a chip: refused, and back as it was.
      const statuses = await reactThroughApi(
        bob,
        Array.from({ length: 24 }, (_, n) => ({ emoji: '😀', on: n % 2 === 1 })),
      );
      expect(statuses.at(-1)).toBe(429);
      await chip(bob.page, '🙃').click();
      await bob.page.getByRole('alert').filter({ hasText: 'You are reacting too quickly. Wait a moment and try again.' }).waitFor();
      await expect.poll(() => chip(bob.page, '🙃').getAttribute('aria-pressed')).toBe('true');
      expect(await chip(bob.page, '🙃').getAttribute('aria-label')).toBe('🙃 1: You');
    },
  );
});
