import { mkdir } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { launchBrowser, openPage } from './support/browser.js';
import { videoFlows } from './support/call-page.js';
import { buildWebDist } from './support/web-build.js';

/** The web app against a real api node on PostgreSQL: two people in two browser contexts. */
let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let n = 0;
const shots = 'test-results/web';

beforeAll(async () => {
  await buildWebDist();
  [server, browser] = await Promise.all([startTestServer({ env: { MEETING_RING_TIMEOUT_MS: '6000' } }), launchBrowser()]);
  await mkdir(shots, { recursive: true });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
});

async function signUp(name: string) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  contexts.push(context);
  const page = await openPage(context, server.url);
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByLabel('Username').fill(name);
  await page.getByLabel('Display name').fill(name[0].toUpperCase() + name.slice(1, -1));
  await page.getByLabel('Password').fill('password123');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByTestId('signed-in-as').waitFor();
  return { page, context, name, displayName: name[0].toUpperCase() + name.slice(1, -1) };
}

/** Two new people who are contacts (A asked, B accepted); A has the conversation open. */
async function contacts() {
  n++;
  const a = await signUp(`anna${n}`);
  const b = await signUp(`boris${n}`);
  await a.page.getByTestId('add-contact-input').fill(b.name);
  await a.page.getByTestId('add-contact-input').press('Enter');
  // B accepts A's request (which opens the conversation), then goes back to the list.
  await b.page.getByRole('button', { name: `Accept ${a.name}`, exact: true }).click();
  await b.page.getByTestId('contact-item').waitFor();
  await b.page.evaluate(() => (location.hash = '#/'));
  await a.page.getByTestId('contact-item').click();
  return { a, b };
}

const texts = (page: Page) => page.getByTestId('message-text').allTextContents();

describe('Derbel in two browsers against a real server', () => {
  it('messages both ways live, unread and "Seen", history after a reload, delivery after being offline', async () => {
    const { a, b } = await contacts();
    await a.page.getByTestId('composer-input').fill('Hello Boris');
    await a.page.getByTestId('composer-input').press('Enter');
    const fromAnna = b.page.getByTestId('contact-item');
    await expect.poll(() => fromAnna.getByTestId('unread-badge').textContent()).toBe('1');

    await fromAnna.click();
    await expect.poll(() => texts(b.page)).toEqual(['Hello Boris']);
    await expect.poll(() => fromAnna.getByTestId('unread-badge').count()).toBe(0);
    await a.page.getByTestId('seen').waitFor();

    await b.page.getByTestId('composer-input').fill('Hi Anna');
    await b.page.getByTestId('composer-input').press('Enter');
    await expect.poll(() => texts(a.page)).toEqual(['Hello Boris', 'Hi Anna']);

    await a.page.reload({ waitUntil: 'domcontentloaded' });
    await expect.poll(() => texts(a.page)).toEqual(['Hello Boris', 'Hi Anna']);

    await a.context.setOffline(true);
    await a.page.getByTestId('composer-input').fill('Sent while offline');
    await a.page.getByTestId('composer-input').press('Enter');
    await a.page.getByTestId('pending').waitFor();
    await a.context.setOffline(false);
    await expect.poll(() => texts(b.page), { timeout: 20_000 }).toEqual(['Hello Boris', 'Hi Anna', 'Sent while offline']);
    await expect.poll(() => a.page.getByTestId('message').last().getAttribute('data-status'), { timeout: 10_000 }).toBe('sent');
    expect(await texts(a.page)).toEqual(['Hello Boris', 'Hi Anna', 'Sent while offline']);
    await a.page.screenshot({ path: `${shots}/e2e-conversation.png` });
    expect([...a.page.errors, ...b.page.errors]).toEqual([]);
  });

  it('a call: ring, accept, video both ways, mute marker, reload resumes, end for both', async () => {
    const { a, b } = await contacts();
    await a.page.getByTestId('call-button').click();
    await a.page.getByTestId('start-call').click();
    await b.page.getByRole('alertdialog').getByRole('button', { name: 'Accept' }).click();
    await Promise.all([videoFlows(a.page), videoFlows(b.page)]);
    await a.page.screenshot({ path: `${shots}/e2e-in-call.png` });

    await a.page.getByTestId('toggle-audio').click();
    await b.page.locator('derbel-video-tile:not([self])').getByTestId('muted-marker').waitFor();

    await b.page.reload({ waitUntil: 'domcontentloaded' });
    await b.page.getByTestId('call-view').waitFor();
    await Promise.all([videoFlows(a.page), videoFlows(b.page)]);

    await a.page.getByTestId('end-call').click();
    await expect.poll(() => a.page.getByTestId('call-view').count()).toBe(0);
    await b.page.getByTestId('call-ended').waitFor();
    await b.page.getByRole('button', { name: 'Close' }).click();
    await b.page.getByTestId('calls-link').click();
    await expect.poll(() => b.page.getByTestId('call-log-entry').first().getAttribute('data-outcome')).toBe('finished');
  });

  it('a declined call and a missed call show as such', async () => {
    const { a, b } = await contacts();
    await a.page.getByTestId('call-button').click();
    await a.page.getByTestId('start-call').click();
    await b.page.getByRole('alertdialog').getByRole('button', { name: 'Decline' }).click();
    await a.page.getByTestId('call-ended').getByText('The call was declined.').waitFor();
    await a.page.getByRole('button', { name: 'Close' }).click();

    await a.page.getByTestId('call-button').click();
    await a.page.getByTestId('start-call').click();
    await b.page.getByRole('alertdialog').waitFor();
    await a.page.getByTestId('call-ended').getByText('No answer.').waitFor({ timeout: 15_000 });
    await b.page.getByTestId('contact-item').click();
    await expect
      .poll(() => b.page.getByTestId('call-entry').evaluateAll((entries) => entries.map((e) => e.getAttribute('data-outcome'))), {
        timeout: 10_000,
      })
      .toEqual(['declined', 'missed']);
  });
});
