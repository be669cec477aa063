import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openPage, signedInContext } from './support/browser.js';
import { seedUser, startHarness, type Harness } from './support/harness.js';

let harness: Harness;
let host: Server;
let hostUrl: string;
let context: BrowserContext;
let contactId: string;
let me: ReturnType<typeof seedUser>;
let peer: ReturnType<typeof seedUser>;

/** A page on another origin that embeds Derbel with one script tag. */
const embeddingPage = (api: string, contact: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Acme support</title><script src="${api}/embed.js"></script>
<style>derbel-conversation { height: 420px; --derbel-accent: rgb(0, 120, 90); }</style></head>
<body><h1>Acme support</h1>
<derbel-call-button server="${api}" contact-id="${contact}"></derbel-call-button>
<derbel-conversation server="${api}" contact-id="${contact}"></derbel-conversation>
</body></html>`;

beforeAll(async () => {
  host = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(embeddingPage(harness.url, contactId)));
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
  harness = await startHarness({ corsOrigins: [hostUrl] });
  me = seedUser(harness.api, 'xena', 'Xena');
  peer = seedUser(harness.api, 'yuri', 'Yuri');
  contactId = harness.api.store.addContact(me.user.id, 'yuri').contact.id;
  harness.api.store.send(peer.user.id, contactId, 'Welcome to Acme support!');
}, 60_000);
afterAll(async () => {
  await harness?.close();
  await new Promise((resolve) => host?.close(resolve));
});
afterEach(() => context?.close());

describe('embed.js on another origin', () => {
  it('shows the conversation for the signed-in user, sends, and receives live', async () => {
    context = await signedInContext(harness.browser, harness.url, me.token);
    const page = await openPage(context, hostUrl);
    const conversation = page.locator('derbel-conversation');
    await conversation.getByText('Welcome to Acme support!').waitFor();
    await conversation.getByRole('textbox', { name: 'Message Yuri' }).fill('Hello from the embedded widget');
    await conversation.getByRole('textbox', { name: 'Message Yuri' }).press('Enter');
    await expect.poll(() => harness.api.store.messages.get(contactId)!.map((m) => m.text)).toContain('Hello from the embedded widget');
    harness.api.store.send(peer.user.id, contactId, 'Got it.');
    await conversation.getByText('Got it.').waitFor();
    // One client for the page: the call button and the conversation share it and its socket.
    expect(harness.api.requests.filter((r) => r.path === '/api/me' && r.headers.origin === hostUrl)).toHaveLength(1);
    // Themed by the host page.
    const send = await conversation.getByRole('button', { name: 'Send' }).evaluate((button) => getComputedStyle(button).backgroundColor);
    expect(send).toBe('rgb(0, 120, 90)');
    expect(page.errors).toEqual([]);
  });

  it('asks a signed-out visitor to sign in, then shows the conversation', async () => {
    context = await harness.browser.newContext();
    const page = await openPage(context, hostUrl);
    const conversation = page.locator('derbel-conversation');
    await conversation.getByRole('heading', { name: 'Sign in' }).waitFor();
    await conversation.getByLabel('Username').fill('xena');
    await conversation.getByLabel('Password').fill('password123');
    await conversation.getByRole('button', { name: 'Sign in' }).click();
    await conversation.getByText('Welcome to Acme support!').waitFor();
    await expect
      .poll(() => page.locator('body > derbel-call-button').getByRole('button', { name: 'Video call Yuri' }).isEnabled())
      .toBe(true);
  });

  it('the call button opens the call lobby over the host page', async () => {
    context = await signedInContext(harness.browser, harness.url, me.token);
    const page = await openPage(context, hostUrl);
    const button = page.locator('body > derbel-call-button').getByRole('button', { name: 'Video call Yuri' });
    await expect.poll(() => button.isEnabled()).toBe(true);
    await button.click();
    await page.getByTestId('call-lobby').waitFor();
    await expect
      .poll(() =>
        page
          .getByTestId('call-lobby')
          .locator('derbel-video-tile')
          .evaluate((tile) => (tile as unknown as { videoElement: HTMLVideoElement }).videoElement.videoWidth),
      )
      .toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.getByTestId('call-lobby').count()).toBe(0);
  });
});
