import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './support/axe.js';
import { contactItem, E2eApp, sendThroughApi } from './support/e2e-app.js';

// 60 messages in a few seconds: more than the default limit lets one person send.
const app = new E2eApp('rp', { RATE_LIMIT_MESSAGES: '1000/1s' });

beforeAll(() => app.start(), 120_000);
afterAll(() => app.stop());
afterEach(() => app.closeContexts());

const bubble = (page: Page, messageId: string) => page.locator(`derbel-message:has([data-message-id="${messageId}"])`);
const quoteOf = (message: Locator) => ({
  sender: () => message.getByTestId('reply-quote-sender').textContent(),
  text: () => message.getByTestId('reply-quote-text').textContent(),
});

/** The next message the page posts, as sent. */
const nextPost = (page: Page) =>
  page.waitForRequest((request) => request.method() === 'POST' && /\/messages$/.test(new URL(request.url()).pathname));

describe('Replies against a real server', () => {
  it(
    'B answers a message a page back; A sees the quote live, opens the original (older history loads, it is highlighted); a deletion shows in both; an offline reply stays one',
    { timeout: 120_000 },
    async () => {
      const anna = await app.signUp('anna');
      const boris = await app.signUp('boris', { colorScheme: 'dark' });
      await app.addContact(anna, boris);
      const [originalId] = await sendThroughApi(anna, [
        'Where do we meet?\nI can do Tuesday',
        ...Array.from({ length: 59 }, (_, n) => `filler ${n + 1}`),
      ]);

      // Anna has the conversation open: only its newest page is loaded.
      await contactItem(anna.page, 'Boris').click();
      await anna.page.getByTestId('message-log').getByText('filler 59').waitFor();
      expect(await bubble(anna.page, originalId).count()).toBe(0);

      // Boris loads back to the original and answers it; Esc drops a reply, the Reply button starts it again.
      const b = boris.page;
      await contactItem(b, 'Anna').click();
      await b.getByTestId('message-log').getByText('filler 59').waitFor();
      while (!(await bubble(b, originalId).count())) await b.getByRole('button', { name: 'Load older messages' }).click();
      const original = bubble(b, originalId);
      // By keyboard: the actions show while focus is in the bubble.
      await original.getByRole('button', { name: 'Reply to message' }).focus();
      await b.keyboard.press('Enter');
      const replying = b.getByTestId('replying-to');
      await expect.poll(() => replying.textContent()).toMatch(/Replying to\s+Anna\s+Where do we meet\?\s+✕/);
      const input = b.getByTestId('composer-input');
      await expect.poll(() => input.evaluate((element) => element.matches(':focus'))).toBe(true);
      await input.press('Escape');
      await expect.poll(() => replying.count()).toBe(0);
      await original.getByRole('button', { name: 'Reply to message' }).focus();
      await b.keyboard.press('Enter');
      await replying.waitFor();
      expect(await seriousViolations(b, 'composer replying, dark')).toEqual([]);
      await input.fill('The café on the corner');
      const posted = nextPost(b);
      await input.press('Enter');
      expect((await posted).postDataJSON()).toMatchObject({ text: 'The café on the corner', replyTo: originalId });
      await expect.poll(() => replying.count()).toBe(0);
      const sentReply = b.getByTestId('message').last();
      await expect.poll(() => sentReply.getAttribute('data-status'), { timeout: 10_000 }).toBe('sent');
      expect(await quoteOf(sentReply).sender()).toBe('Anna');

      // Anna gets it live: the feed names only the original, the quote comes from the history.
      const reply = anna.page.locator('derbel-message', { hasText: 'The café on the corner' });
      await expect.poll(() => quoteOf(reply).sender(), { timeout: 15_000 }).toBe('You');
      expect(await quoteOf(reply).text()).toBe('Where do we meet?');
      expect(await bubble(anna.page, originalId).count()).toBe(0);
      expect(await seriousViolations(anna.page, 'a reply with its quote, light')).toEqual([]);
      await anna.page.screenshot({ path: 'test-results/web/reply-light.png' });

      // Enter on the quote loads older history until the original shows, highlighted and in view.
      await reply.getByTestId('reply-quote').focus();
      await anna.page.keyboard.press('Enter');
      const found = bubble(anna.page, originalId);
      await expect.poll(() => found.getAttribute('highlighted'), { timeout: 15_000 }).toBe('');
      const inView = await found.evaluate((element) => {
        const log = (element.getRootNode() as ShadowRoot).querySelector('[role="log"]')!;
        const [box, view] = [element.getBoundingClientRect(), log.getBoundingClientRect()];
        return box.top >= view.top && box.bottom <= view.bottom;
      });
      expect(inView).toBe(true);
      // Keyboard focus went with it: the original's own actions are the next Tab stops.
      expect(await found.getByTestId('message').evaluate((element) => element.matches(':focus'))).toBe(true);

      // Boris reloads: his quote now comes from the server, his history no longer has the original.
      await b.reload({ waitUntil: 'domcontentloaded' });
      await contactItem(b, 'Anna').click();
      const borisReply = b.locator('derbel-message', { hasText: 'The café on the corner' });
      await expect.poll(() => quoteOf(borisReply).text(), { timeout: 15_000 }).toBe('Where do we meet?');
      expect(await bubble(b, originalId).count()).toBe(0);

      // Anna deletes the original: both quotes say so, live.
      await found.getByTestId('delete-message').focus();
      await anna.page.keyboard.press('Enter');
      await found.getByTestId('confirm-delete').waitFor();
      await anna.page.keyboard.press('Enter');
      await expect.poll(() => quoteOf(reply).text()).toBe('Deleted message');
      await expect.poll(() => quoteOf(borisReply).text(), { timeout: 15_000 }).toBe('Deleted message');

      // A reply written offline waits in the outbox as a reply, and is delivered as one.
      const filler = b.locator('derbel-message', { hasText: /^\s*filler 58\b/ });
      await boris.context.setOffline(true);
      // By mouse: the actions show while the pointer is on the bubble.
      await filler.getByTestId('message').hover();
      await filler.getByRole('button', { name: 'Reply to message' }).click();
      await input.fill('Sent while offline');
      await input.press('Enter');
      const pending = b.getByTestId('message').last();
      await expect.poll(() => pending.getAttribute('data-status')).toBe('pending');
      expect(await quoteOf(pending).text()).toBe('filler 58');
      const delivered = nextPost(b);
      await boris.context.setOffline(false);
      expect((await delivered).postDataJSON()).toMatchObject({ text: 'Sent while offline', replyTo: expect.any(String) });
      const late = anna.page.locator('derbel-message', { hasText: 'Sent while offline' });
      await expect.poll(() => quoteOf(late).text(), { timeout: 20_000 }).toBe('filler 58');
      expect(await quoteOf(late).sender()).toBe('You');
      await expect.poll(() => pending.getAttribute('data-status'), { timeout: 10_000 }).toBe('sent');
      await b.screenshot({ path: 'test-results/web/reply-dark.png' });
      expect([...anna.page.errors, ...b.errors]).toEqual([]);
    },
  );

  it('in a group the quote names the original’s sender for each reader', { timeout: 90_000 }, async () => {
    const anna = await app.signUp('anna');
    const boris = await app.signUp('boris');
    const carol = await app.signUp('carol');
    await app.addContact(anna, boris);
    await app.addContact(anna, carol);
    await app.createGroup(anna, 'Trip', [boris, carol]);
    await anna.page.getByTestId('composer-input').fill('Train or car?');
    await anna.page.getByTestId('composer-input').press('Enter');

    await contactItem(carol.page, 'Trip').click();
    const question = carol.page.locator('derbel-message', { hasText: 'Train or car?' });
    await question.getByRole('button', { name: 'Reply to message' }).focus();
    await carol.page.keyboard.press('Enter');
    // The reply target stays with the draft while Carol looks at another conversation.
    await contactItem(carol.page, 'Anna').click();
    await expect.poll(() => carol.page.getByTestId('replying-to').count()).toBe(0);
    await contactItem(carol.page, 'Trip').click();
    await carol.page.getByTestId('replying-to').getByText('Train or car?').waitFor();
    await carol.page.getByTestId('composer-input').fill('Train');
    await carol.page.getByTestId('composer-input').press('Enter');

    await contactItem(boris.page, 'Trip').click();
    const seenByBoris = boris.page.locator('derbel-message', { hasText: /Train\s*\d/ });
    await expect.poll(() => quoteOf(seenByBoris).sender(), { timeout: 15_000 }).toBe('Anna');
    const seenByAnna = anna.page.locator('derbel-message', { hasText: /Train\s*\d/ });
    await expect.poll(() => quoteOf(seenByAnna).sender(), { timeout: 15_000 }).toBe('You');
    expect(await quoteOf(seenByAnna).text()).toBe('Train or car?');
    expect([...anna.page.errors, ...boris.page.errors, ...carol.page.errors]).toEqual([]);
  });
});
