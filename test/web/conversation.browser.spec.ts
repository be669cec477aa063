import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openPage, signedInContext } from './support/browser.js';
import { seedUser, startHarness, type Harness } from './support/harness.js';

let harness: Harness;
let context: BrowserContext;
let n = 0;
beforeAll(async () => {
  harness = await startHarness();
}, 60_000);
afterAll(() => harness?.close());
afterEach(() => context?.close());

/** Two new contacts; the page is signed in as the first, with the conversation open. */
async function conversation() {
  n++;
  const me = seedUser(harness.api, `olive${n}`, 'Olive');
  const peer = seedUser(harness.api, `paul${n}`, 'Paul');
  const contactId = harness.api.store.addContact(me.user.id, peer.user.username).contact.id;
  context = await signedInContext(harness.browser, harness.url, me.token);
  const open = async () => {
    const page = await openPage(context, `${harness.url}/#/contacts/${contactId}`);
    await page.getByRole('heading', { name: 'Paul' }).waitFor();
    return page;
  };
  return { me, peer, contactId, open };
}

const texts = (page: Page) => page.getByTestId('message-text').allTextContents();
const stored = (contactId: string) => harness.api.store.messages.get(contactId)!;

describe('<derbel-conversation>', () => {
  it('loads the newest page at the bottom, groups by day, and loads older pages on scrolling up', async () => {
    const { me, peer, contactId, open } = await conversation();
    for (let i = 1; i <= 120; i++) harness.api.store.send(i % 2 ? peer.user.id : me.user.id, contactId, `message ${i}`);
    const messages = stored(contactId);
    messages.forEach((message, i) => (message.sentAt = new Date(Date.UTC(2024, 0, 1 + Math.floor(i / 50), 12, i % 50)).toISOString()));
    const page = await open();
    await expect.poll(() => page.getByTestId('message').count()).toBe(50);
    expect((await texts(page)).at(-1)).toBe('message 120');
    const log = page.getByTestId('message-log');
    expect(await log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight)).toBeLessThan(5);

    await log.evaluate((el) => el.scrollTo({ top: 0 }));
    await expect.poll(() => page.getByTestId('message').count()).toBe(100);
    await log.evaluate((el) => el.scrollTo({ top: 0 }));
    await expect.poll(() => page.getByTestId('message').count()).toBe(120);
    // Loading older messages keeps what the reader was looking at in place, rather than jumping.
    expect(await log.evaluate((el) => el.scrollTop)).toBeGreaterThan(100);
    expect(await texts(page)).toEqual(messages.map((message) => message.text));
    await page.getByText('This is the beginning of your conversation with Paul.').waitFor();
    expect(await page.locator('derbel-conversation').evaluate((el) => [...el.shadowRoot!.querySelectorAll('.day')].length)).toBe(3);
  });

  it('sends optimistically, shows it once, and the peer gets it; Enter sends, Shift+Enter is a new line', async () => {
    const { contactId, open } = await conversation();
    const page = await open();
    const input = page.getByRole('textbox', { name: 'Message Paul' });
    await input.fill('first line');
    await input.press('Shift+Enter');
    await input.pressSequentially('second line');
    await input.press('Enter');
    await expect.poll(() => texts(page)).toEqual(['first line\nsecond line']);
    await expect.poll(() => page.getByTestId('message').getAttribute('data-status')).toBe('sent');
    expect(stored(contactId).map((m) => m.text)).toEqual(['first line\nsecond line']);
    expect(await input.inputValue()).toBe('');
    // Cookie-authenticated writes carry the CSRF token from GET /api/me.
    const post = harness.api.requests.find((r) => r.method === 'POST' && r.path === `/api/contacts/${contactId}/messages`);
    expect(post?.headers['x-csrf-token']).toBe(
      harness.api.store.csrf.get([...harness.api.store.tokens].find(([, id]) => id === stored(contactId)[0].senderId)![0]),
    );
    expect(page.errors).toEqual([]);
  });

  it('renders text as text, makes links clickable, and wraps long words', async () => {
    const { peer, contactId, open } = await conversation();
    harness.api.store.send(
      peer.user.id,
      contactId,
      '<img src=x onerror="window.pwned=1"> see https://example.com/page?a=1 and ' + 'x'.repeat(300),
    );
    const page = await open();
    const text = page.getByTestId('message-text');
    await expect.poll(() => text.textContent()).toContain('<img src=x onerror="window.pwned=1">');
    expect(await text.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined();
    const link = text.getByRole('link', { name: 'https://example.com/page?a=1' });
    expect(await link.getAttribute('href')).toBe('https://example.com/page?a=1');
    expect(await link.getAttribute('rel')).toContain('noopener');
    const bubble = page.getByTestId('message');
    const [width, logWidth] = await Promise.all([
      bubble.evaluate((el) => el.scrollWidth),
      page.getByTestId('message-log').evaluate((el) => el.clientWidth),
    ]);
    expect(width).toBeLessThanOrEqual(logWidth);
  });

  it('edits and deletes own messages; the peer’s edits arrive live', async () => {
    const { me, peer, contactId, open } = await conversation();
    const mine = harness.api.store.send(me.user.id, contactId, 'helo').message;
    const theirs = harness.api.store.send(peer.user.id, contactId, 'hi there').message;
    const page = await open();
    const own = page.locator(`[data-message-id="${mine.id}"]`);
    await own.hover();
    await own.getByRole('button', { name: 'Edit message' }).click();
    const editor = page.getByRole('textbox', { name: 'Edit message' });
    await editor.fill('hello');
    await editor.press('Enter');
    await expect.poll(() => stored(contactId)[0].text).toBe('hello');
    await own.getByTestId('edited').waitFor();
    expect(await page.getByTestId('message').filter({ hasText: 'hi there' }).getByRole('button', { name: 'Edit message' }).count()).toBe(0);

    await own.hover();
    await own.getByRole('button', { name: 'Delete message' }).click();
    await own.getByTestId('confirm-delete').click();
    await expect.poll(() => stored(contactId)[0].deleted).toBe(true);
    await expect.poll(() => texts(page)).toEqual(['This message was deleted.', 'hi there']);

    harness.api.store.edit(peer.user.id, contactId, theirs.id, 'hi there, Olive');
    await expect.poll(() => texts(page)).toEqual(['This message was deleted.', 'hi there, Olive']);
  });

  it('shows the peer typing and "Seen" on the last own message they read', async () => {
    const { me, peer, contactId, open } = await conversation();
    const first = harness.api.store.send(me.user.id, contactId, 'one').message;
    harness.api.store.send(me.user.id, contactId, 'two');
    const page = await open();
    await expect.poll(() => page.getByTestId('message').count()).toBe(2);
    harness.api.store.push({ type: 'Typing', data: { contactId, userId: peer.user.id }, userIds: [me.user.id] });
    await expect.poll(() => page.getByTestId('typing').textContent()).toBe('Paul is typing…');
    await expect.poll(() => page.getByTestId('typing').textContent(), { timeout: 8_000 }).toBe('');

    harness.api.store.read(peer.user.id, contactId, first.id);
    await expect.poll(() => page.getByTestId('message').filter({ hasText: 'one' }).getByTestId('seen').count()).toBe(1);
    expect(await page.getByTestId('seen').count()).toBe(1);
  });

  it('sends typing notices while the user types', async () => {
    const { peer, open } = await conversation();
    const page = await open();
    const received: unknown[] = [];
    const peerSocket = await connectSocket(peer.token, (event) => received.push(event));
    try {
      await page.getByRole('textbox', { name: 'Message Paul' }).pressSequentially('abc');
      await expect.poll(() => received.filter((e) => (e as { type: string }).type === 'Typing').length).toBeGreaterThan(0);
    } finally {
      peerSocket.close();
    }
  });

  it('after losing the connection, catches up on what it missed, once, and delivers what was written meanwhile', async () => {
    const { peer, contactId, open } = await conversation();
    const page = await open();
    harness.api.store.send(peer.user.id, contactId, 'before');
    // Pushed live, or fetched on catch-up if the page's socket was still connecting: slower on a busy machine.
    await expect.poll(() => texts(page), { timeout: 15_000 }).toEqual(['before']);

    harness.api.setReachable(false);
    try {
      await page.getByTestId('connection-banner').waitFor();
      await page.getByRole('textbox', { name: 'Message Paul' }).fill('written offline');
      await page.getByRole('textbox', { name: 'Message Paul' }).press('Enter');
      await page.getByTestId('pending').waitFor();
      await expect.poll(() => page.getByTestId('connection-banner').textContent()).toContain('1 message will be sent');
      harness.api.store.send(peer.user.id, contactId, 'missed while away');
    } finally {
      harness.api.setReachable(true);
    }
    await expect.poll(() => texts(page), { timeout: 15_000 }).toEqual(['before', 'missed while away', 'written offline']);
    await expect.poll(() => page.getByTestId('connection-banner').count()).toBe(0);
    await expect.poll(() => page.getByTestId('message').last().getAttribute('data-status')).toBe('sent');
    expect(stored(contactId).map((m) => m.text)).toEqual(['before', 'missed while away', 'written offline']);
    const after = harness.api.requests.filter((r) => r.path.startsWith('/api/events?after='));
    expect(after.length).toBeGreaterThan(0);
  });

  it('keeps unsent messages across a reload and sends them once the server is back', async () => {
    const { contactId, open } = await conversation();
    const page = await open();
    harness.api.setReachable(false);
    await page.getByRole('textbox', { name: 'Message Paul' }).fill('survives reload');
    await page.getByRole('textbox', { name: 'Message Paul' }).press('Enter');
    await page.getByTestId('pending').waitFor();
    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.getByText('The server is unreachable right now.').waitFor();
    harness.api.setReachable(true);
    await page.getByRole('button', { name: 'Try again' }).click();
    await expect.poll(() => stored(contactId).map((m) => m.text), { timeout: 10_000 }).toEqual(['survives reload']);
    await expect.poll(() => texts(page)).toEqual(['survives reload']);
    await page.waitForTimeout(500);
    expect(stored(contactId)).toHaveLength(1);
  });
});

async function connectSocket(token: string, onEvent: (event: unknown) => void) {
  const { io } = await import('socket.io-client');
  const socket = io(harness.url, { auth: { token }, transports: ['websocket'] });
  socket.on('event', onEvent);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}
