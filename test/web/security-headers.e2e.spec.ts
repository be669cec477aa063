import { createServer, type Server } from 'node:http';
import type { Browser, BrowserContext, Frame } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { launchBrowser, openPage } from './support/browser.js';
import { buildWebDist } from './support/web-build.js';

/**
 * Issue 14: security headers from the app itself. The app runs under its CSP with no violation, and a page on
 * another origin cannot frame it unless that origin is a configured embed origin.
 */
describe('security headers, in Chromium against the real server', () => {
  let app: TestServer;
  let embedding: TestServer;
  let host: Server;
  let hostOrigin: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    await buildWebDist();
    // A foreign page that frames whatever URL it is given.
    host = createServer((request, response) => {
      const target = new URL(request.url!, 'http://host').searchParams.get('frame') ?? '';
      response.setHeader('content-type', 'text/html');
      response.end(`<!doctype html><iframe id="app" src="${target.replace(/"/g, '')}" width="800" height="600"></iframe>`);
    });
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    hostOrigin = `http://localhost:${(host.address() as { port: number }).port}`;
    [app, embedding, browser] = await Promise.all([
      startTestServer(),
      startTestServer({ env: { CORS_ORIGINS: hostOrigin } }),
      launchBrowser(),
    ]);
  }, 120_000);
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([app?.close(), embedding?.close()]);
    host?.close();
  });

  const newContext = async () => {
    const context = await browser.newContext();
    contexts.push(context);
    return context;
  };

  it('sends a CSP without inline scripts, nosniff, no referrer and same-origin framing', async () => {
    const response = await fetch(app.url);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'self'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });

  it('runs the app under it: sign-up and the signed-in app, with no CSP violation', async () => {
    const context = await newContext();
    const page = await openPage(context, app.url);
    await page.evaluate(() => {
      (window as unknown as { violations: string[] }).violations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        (window as unknown as { violations: string[] }).violations.push(`${e.violatedDirective} ${e.blockedURI}`),
      );
    });
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Username').fill(`csp${Date.now().toString(36)}`);
    await page.getByLabel('Display name').fill('Csp');
    await page.getByLabel('Password').fill('password123');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByTestId('signed-in-as').waitFor();
    expect(await page.evaluate(() => (window as unknown as { violations: string[] }).violations)).toEqual([]);
    expect(page.errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
  });

  async function framed(appUrl: string): Promise<Frame | null> {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${hostOrigin}/?frame=${encodeURIComponent(appUrl)}`, { waitUntil: 'domcontentloaded' });
    const frame = await (await page.waitForSelector('#app')).contentFrame();
    // A refused frame shows Chromium's error page: the app's element never appears in it.
    const rendered = await frame?.waitForSelector('derbel-app', { state: 'attached', timeout: 5_000 }).then(
      () => true,
      () => false,
    );
    return rendered ? frame : null;
  }

  it('cannot be framed by a page on another origin', async () => {
    expect(await framed(app.url)).toBeNull();
  });

  it('can be framed by a configured embed origin', async () => {
    expect(await framed(embedding.url)).not.toBeNull();
  });
});
