import { createServer, type Server } from 'node:http';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { launchBrowser, openPage } from './support/browser.js';
import { buildWebDist } from './support/web-build.js';

/**
 * Issue 14, in Chromium: a signed-in user's browser visits a page on another origin of the same site
 * (another port of the same host: the browser sends the session cookie there) and on another site. Neither
 * page can open the app's socket; the app's own page can.
 */
describe('socket handshakes from other origins, in Chromium', () => {
  let app: TestServer;
  let foreign: Server;
  let foreignPort: number;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    await buildWebDist();
    foreign = createServer((_request, response) => {
      response.setHeader('content-type', 'text/html');
      response.end('<!doctype html><title>elsewhere</title>');
    });
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
    foreignPort = (foreign.address() as { port: number }).port;
    [app, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    context = await browser.newContext();
    const page = await openPage(context, app.url);
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Username').fill(`victim${Date.now().toString(36)}`);
    await page.getByLabel('Display name').fill('Victim');
    await page.getByLabel('Password').fill('password123');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByTestId('signed-in-as').waitFor();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    foreign?.close();
  });

  /** Opens the app's Engine.IO WebSocket from `page`: 'open' when the server let it in. */
  const tryWebSocket = (page: Page, appPort: string) =>
    page.evaluate(
      (port) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
          ws.onmessage = () => (ws.close(), resolve('open'));
          ws.onerror = () => resolve('refused');
          setTimeout(() => resolve('timeout'), 5_000);
        }),
      appPort,
    );

  it("opens from the app's own page", async () => {
    const page = await context.newPage();
    await page.goto(app.url, { waitUntil: 'domcontentloaded' });
    expect(await tryWebSocket(page, new URL(app.url).port)).toBe('open');
  });

  it('is refused from another origin of the same site and from another site', async () => {
    for (const origin of [`http://127.0.0.1:${foreignPort}`, `http://localhost:${foreignPort}`]) {
      const page = await context.newPage();
      await page.goto(origin, { waitUntil: 'domcontentloaded' });
      expect(await tryWebSocket(page, new URL(app.url).port), origin).toBe('refused');
    }
  });
});
