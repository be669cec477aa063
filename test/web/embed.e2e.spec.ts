import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openPage } from './support/browser.js';
import { contactItem, E2eApp, type Person, texts } from './support/e2e-app.js';

const app = new E2eApp('em');
let host: Server;
let hostUrl: string;

/** A page on another origin embedding Derbel; `?tail` puts the script after the elements. */
function embeddingPage(url: URL) {
  const api = app.server.url;
  const contact = url.searchParams.get('contact') ?? '';
  const script = `<script src="${api}/embed.js"></script>`;
  const tail = url.searchParams.has('tail');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme support</title>${tail ? '' : script}
<style>derbel-conversation { height: 420px; }</style></head>
<body><h1>Acme support</h1>
<derbel-call-button server="${api}" contact-id="${contact}"></derbel-call-button>
<derbel-conversation server="${api}" contact-id="${contact}"></derbel-conversation>
${tail ? script : ''}</body></html>`;
}

beforeAll(async () => {
  host = createServer((req, res) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end(embeddingPage(new URL(req.url ?? '/', 'http://host'))),
  );
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
  await app.start({ CORS_ORIGINS: hostUrl });
}, 120_000);
afterAll(async () => {
  await app.stop();
  await new Promise((resolve) => host?.close(resolve));
});
afterEach(() => app.closeContexts());

/** Xena (who will visit the host page) and Yuri, contacts, in the app; Yuri has written to Xena. */
async function people(): Promise<{ xena: Person; yuri: Person; contactId: string }> {
  const xena = await app.signUp('xena');
  const yuri = await app.signUp('yuri');
  await app.addContact(xena, yuri);
  await contactItem(yuri.page, 'Xena').click();
  await yuri.page.getByTestId('composer-input').fill('Welcome to Acme support!');
  await yuri.page.getByTestId('composer-input').press('Enter');
  const contactId = (await yuri.page.evaluate(() => location.hash)).split('/').pop()!;
  return { xena, yuri, contactId };
}

/** Xena's visit to the host page, in her own browser context (her app tab stays open elsewhere). */
async function visit(xena: Person, contactId: string, query = '', context?: BrowserContext) {
  context ??= await app.newContext();
  const page = await openPage(context, `${hostUrl}/?contact=${contactId}${query}`);
  const conversation = page.locator('derbel-conversation');
  await conversation.getByRole('heading', { name: 'Sign in' }).waitFor();
  await conversation.getByLabel('Username').fill(xena.name);
  await conversation.getByLabel('Password').fill('password123');
  await conversation.getByRole('button', { name: 'Sign in' }).click();
  return { page, conversation };
}

describe('embed.js on another origin, against a real server', () => {
  it('signing in inside the widget initialises every element: history, live messages, the call button', { timeout: 90_000 }, async () => {
    const { xena, yuri, contactId } = await people();
    const context = await app.newContext();
    // The history answers last, after everything else the widget loads has rendered: nothing else
    // re-renders the conversation then, so it shows the history only if it watches the right state.
    let answerHistory!: () => void;
    const historyHeld = new Promise<void>((resolve) => (answerHistory = resolve));
    await context.route(/\/api\/contacts\/[^/]+\/messages/, async (route) => {
      await historyHeld;
      await route.continue();
    });
    const { page, conversation } = await visit(xena, contactId, '', context);
    const calls = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/calls');
    await expect
      .poll(() =>
        page
          .locator('body > derbel-call-button')
          .getByRole('button', { name: /Video call/ })
          .isEnabled(),
      )
      .toBe(true);
    await calls;
    await conversation.getByText('Loading messages…').waitFor();
    answerHistory();
    await conversation.getByText('Welcome to Acme support!').waitFor({ timeout: 15_000 });
    await yuri.page.getByTestId('composer-input').fill('Live too');
    await yuri.page.getByTestId('composer-input').press('Enter');
    await conversation.getByText('Live too').waitFor();
    expect(page.errors).toEqual([]);
  });

  it('edits and deletes from the embedding page (PATCH and DELETE across origins)', { timeout: 90_000 }, async () => {
    const { xena, yuri, contactId } = await people();
    const { page, conversation } = await visit(xena, contactId);
    await conversation.getByText('Welcome to Acme support!').waitFor({ timeout: 15_000 });
    await conversation.getByTestId('composer-input').fill('Typo here');
    await conversation.getByTestId('composer-input').press('Enter');
    await expect.poll(() => texts(yuri.page)).toEqual(['Welcome to Acme support!', 'Typo here']);

    const mine = conversation.getByTestId('message').last();
    await mine.hover();
    await mine.getByTestId('edit-message').click();
    await mine.getByTestId('edit-input').fill('No typo here');
    await mine.getByTestId('save-edit').click();
    await expect.poll(() => texts(yuri.page)).toEqual(['Welcome to Acme support!', 'No typo here']);

    await mine.hover();
    await mine.getByTestId('delete-message').click();
    await mine.getByTestId('confirm-delete').click();
    const afterDelete = ['Welcome to Acme support!', 'This message was deleted.'];
    await expect.poll(() => texts(yuri.page)).toEqual(afterDelete);
    await page.reload({ waitUntil: 'domcontentloaded' });
    await expect.poll(() => texts(page)).toEqual(afterDelete);
    expect(page.errors).toEqual([]);
  });

  it(
    'reacts from the embedding page (PUT across origins); the full picker reads its data from the Derbel server',
    { timeout: 90_000 },
    async () => {
      const { xena, yuri, contactId } = await people();
      const { page, conversation } = await visit(xena, contactId);
      const api = new URL(app.server.url).origin;
      const elsewhere: string[] = [];
      page.on('request', (request) => ![api, hostUrl].includes(new URL(request.url()).origin) && elsewhere.push(request.url()));
      const chips = (where: typeof conversation | typeof yuri.page) =>
        where.getByTestId('reaction-chip').evaluateAll((all) => all.map((chip) => chip.getAttribute('aria-label')));
      const welcome = conversation.getByTestId('message').filter({ hasText: 'Welcome to Acme support!' });
      await welcome.waitFor({ timeout: 15_000 });
      await welcome.hover();
      await welcome.getByTestId('add-reaction').click();
      await conversation.getByTestId('quick-reaction').filter({ hasText: '❤️' }).click();
      await expect.poll(() => chips(yuri.page)).toEqual(['❤️ 1: Xena']);

      await welcome.hover();
      await welcome.getByTestId('add-reaction').click();
      await conversation.getByTestId('more-reactions').click();
      const data = page.waitForResponse((response) => response.url() === `${api}/emoji/data.json`);
      await conversation.locator('emoji-picker input[type="search"]').fill('party popper');
      expect((await data).ok()).toBe(true);
      await conversation
        .locator('emoji-picker')
        .getByRole('option', { name: /party popper/i })
        .first()
        .click();
      await expect.poll(() => chips(yuri.page)).toEqual(['❤️ 1: Xena', '🎉 1: Xena']);
      await expect.poll(() => chips(conversation)).toEqual(['❤️ 1: You', '🎉 1: You']);
      expect(elsewhere).toEqual([]);
      expect(page.errors).toEqual([]);
    },
  );

  it('replies from the embedding page: the quote shows on both sides and opens the original', { timeout: 90_000 }, async () => {
    const { xena, yuri, contactId } = await people();
    const { page, conversation } = await visit(xena, contactId);
    const welcome = conversation.locator('derbel-message', { hasText: 'Welcome to Acme support!' });
    await welcome.waitFor({ timeout: 15_000 });
    await welcome.getByRole('button', { name: 'Reply to message' }).focus();
    await page.keyboard.press('Enter');
    await conversation.getByTestId('replying-to').getByText('Welcome to Acme support!').waitFor();
    await conversation.getByTestId('composer-input').fill('Thanks!');
    await conversation.getByTestId('composer-input').press('Enter');
    const reply = yuri.page.locator('derbel-message', { hasText: 'Thanks!' });
    await expect.poll(() => reply.getByTestId('reply-quote').textContent(), { timeout: 15_000 }).toMatch(/You\s+Welcome to Acme support!/);

    await reply.getByRole('button', { name: 'Reply to message' }).focus();
    await yuri.page.keyboard.press('Enter');
    await yuri.page.getByTestId('composer-input').fill('You are welcome');
    await yuri.page.getByTestId('composer-input').press('Enter');
    const answer = conversation.locator('derbel-message', { hasText: 'You are welcome' });
    await expect.poll(() => answer.getByTestId('reply-quote').textContent(), { timeout: 15_000 }).toMatch(/You\s+Thanks!/);
    await answer.getByTestId('reply-quote').click();
    const original = conversation
      .locator('derbel-message')
      .filter({ has: page.getByTestId('message-text').filter({ hasText: /^Thanks!$/ }) });
    await expect.poll(() => original.getAttribute('highlighted')).toBe('');
    expect(page.errors).toEqual([]);
  });

  it('with the script after the elements, a call still rings on the embedding page', { timeout: 90_000 }, async () => {
    const { xena, yuri, contactId } = await people();
    await xena.context.close();
    const { page, conversation } = await visit(xena, contactId, '&tail');
    await conversation.getByText('Welcome to Acme support!').waitFor({ timeout: 15_000 });
    await yuri.page.getByTestId('call-button').click();
    await yuri.page.getByTestId('start-call').click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Accept' }).click();
    await page.getByTestId('call-view').waitFor();
    expect(page.errors).toEqual([]);
  });
});
