import { mkdir } from 'node:fs/promises';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openPage, signedInContext } from './support/browser.js';
import { seedUser, startHarness, type Harness } from './support/harness.js';

let harness: Harness;
let context: BrowserContext;
const shots = 'test-results/web';

beforeAll(async () => {
  harness = await startHarness();
  await mkdir(shots, { recursive: true });
}, 60_000);
afterAll(() => harness?.close());
afterEach(() => context?.close());

function seedConversation(suffix: string) {
  const me = seedUser(harness.api, `vera${suffix}`, 'Vera Lind');
  const peer = seedUser(harness.api, `walt${suffix}`, 'Walt Mora');
  const contactId = harness.api.store.addContact(me.user.id, peer.user.username).contact.id;
  harness.api.store.send(peer.user.id, contactId, 'Hi Vera! Are we still on for the design review?');
  harness.api.store.send(me.user.id, contactId, 'Yes — the notes are at https://derbel.test/review, have a look.');
  harness.api.store.send(peer.user.id, contactId, 'Great, calling you in five.');
  return { me, peer, contactId };
}

const overflowsSideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);

async function unnamedControls(page: Page) {
  const tree = await page.locator('body').ariaSnapshot();
  return tree
    .split('\n')
    .filter(
      (line) =>
        /- (button|link|textbox|searchbox|combobox)\s*$/.test(line.trim()) || /- (button|textbox|searchbox|combobox)\s*:/.test(line.trim()),
    );
}

describe('the app’s main screens', () => {
  it('on a desktop: contacts beside the conversation, every control named', async () => {
    const { me, contactId } = seedConversation('d');
    context = await signedInContext(harness.browser, harness.url, me.token, { viewport: { width: 1200, height: 800 } });
    const page = await openPage(context, `${harness.url}/#/contacts/${contactId}`);
    await expect.poll(() => page.getByTestId('message').count()).toBe(3);
    expect(await page.getByTestId('contact-list').isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Back to contacts' }).isVisible()).toBe(false);
    await page.screenshot({ path: `${shots}/conversation.png` });
    expect(await unnamedControls(page)).toEqual([]);
    expect(await overflowsSideways(page)).toBe(false);
    expect(page.errors).toEqual([]);
  });

  it('on a phone: the list, then the conversation with a way back, nothing wider than the screen', async () => {
    const { me } = seedConversation('p');
    context = await signedInContext(harness.browser, harness.url, me.token, {
      viewport: { width: 360, height: 740 },
      isMobile: true,
      hasTouch: true,
    });
    const page = await openPage(context, harness.url);
    await page.getByTestId('contact-item').click();
    await expect.poll(() => page.getByTestId('message').count()).toBe(3);
    expect(await page.getByTestId('contact-list').isVisible()).toBe(false);
    expect(await overflowsSideways(page)).toBe(false);
    await page.screenshot({ path: `${shots}/conversation-phone.png` });
    await page.getByRole('button', { name: 'Back to contacts' }).click();
    await page.getByTestId('contact-list').waitFor();
    expect(await overflowsSideways(page)).toBe(false);
  });

  it('the sign-in screen', async () => {
    context = await harness.browser.newContext({ viewport: { width: 1000, height: 700 } });
    const page = await openPage(context, harness.url);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await unnamedControls(page)).toEqual([]);
    await page.screenshot({ path: `${shots}/sign-in.png` });
  });

  it('the call log lists calls with their outcome and can call back', async () => {
    const { me, peer, contactId } = seedConversation('c');
    const missed = harness.api.store.startMeeting(peer.user.id, contactId).meeting.id;
    harness.api.store.endMeeting(missed, 'missed');
    context = await signedInContext(harness.browser, harness.url, me.token);
    const page = await openPage(context, `${harness.url}/#/calls`);
    const entry = page.getByTestId('call-log-entry');
    await entry.waitFor();
    expect(await entry.getAttribute('data-outcome')).toBe('missed');
    expect(await entry.textContent()).toContain('Missed call');
    await entry.getByRole('button', { name: 'Call back Walt Mora' }).click();
    await page.getByTestId('call-lobby').waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.getByTestId('call-lobby').count()).toBe(0);
  });
});
