import type { Browser } from 'playwright-core';
import { launchBrowser } from './browser.js';
import { startFakeApi, type FakeApi } from './fake-api/server.js';
import type { FakeOptions } from './fake-api/store.js';
import { serveStatic } from './static-files.js';
import { buildWeb } from './web-build.js';

/** A page with only the embed bundle: component tests create the elements they test. */
export const HARNESS_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Derbel components</title>
<script src="/embed.js"></script></head><body><main id="stage"></main></body></html>`;

export type Harness = { api: FakeApi; browser: Browser; url: string; close(): Promise<void> };

/** Builds the web app, serves it next to the fake API on one origin, and launches Chromium. */
export async function startHarness(
  options: Partial<FakeOptions> & { corsOrigins?: string[]; pages?: Record<string, string> } = {},
): Promise<Harness> {
  const built = await buildWeb();
  const api = await startFakeApi({ ...options, statics: serveStatic(built, { '/harness.html': HARNESS_PAGE, ...options.pages }) });
  const browser = await launchBrowser();
  return {
    api,
    browser,
    url: api.url,
    async close() {
      await browser.close();
      await api.close();
    },
  };
}

/** Makes an account and a session for it directly in the fake, e.g. to seed a peer. */
export function seedUser(api: FakeApi, username: string, displayName = username[0].toUpperCase() + username.slice(1)) {
  const user = api.store.register(username, displayName, 'password123');
  const { token } = api.store.signIn(username, 'password123');
  return { user, token };
}
