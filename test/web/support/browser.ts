import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * Debian's Chromium, never a downloaded browser: its headless shell (Debian's `chromium-headless-shell`, the
 * same engine without the desktop browser around it), else the full `chromium` in headless mode. The shell runs
 * the browser specs in ~40 % less time on two cores (BENCHMARKS.md); `scripts/ensure-services.mjs` installs it.
 */
export const CHROMIUM =
  process.env.CHROMIUM_PATH ??
  ['/usr/bin/chromium-headless-shell', '/usr/bin/chromium'].find((path) => existsSync(path)) ??
  '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--use-fake-ui-for-media-stream',
      // A 10 fps test pattern rather than the default 20: video still flows and is checked frame by frame, and the
      // call specs' encoders (twelve streams in a four-person mesh) take less of the two cores (BENCHMARKS.md).
      '--use-fake-device-for-media-stream=fps=10',
      '--disable-background-networking',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

/** A page whose console errors and page errors are collected, so a test can assert there were none. */
export async function openPage(context: BrowserContext, url: string): Promise<Page & { errors: string[] }> {
  const page = (await context.newPage()) as Page & { errors: string[] };
  page.errors = [];
  page.on('pageerror', (error) => page.errors.push(error.message));
  page.on('console', (message) => {
    // The browser logs every 4xx/5xx answer and every failed connection attempt; those are expected (401 before
    // sign-in, 409s, a reconnect while offline or while a node is down: the WebSocket tried first then fails).
    const network = /^Failed to load resource|^WebSocket connection to '[^']*' failed/;
    if (message.type() === 'error' && !network.test(message.text())) page.errors.push(message.text());
  });
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  return page;
}

/** A browser context signed in as the user of `token` (the session cookie the server would set). */
export async function signedInContext(browser: Browser, url: string, token: string, options: Parameters<Browser['newContext']>[0] = {}) {
  const context = await browser.newContext(options);
  await context.addCookies([{ name: 'derbel_session', value: token, url, httpOnly: true, sameSite: 'Lax' }]);
  return context;
}
