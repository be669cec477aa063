import { mkdir } from 'node:fs/promises';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openPage, signedInContext } from './support/browser.js';
import { describeCall, framesDecoded, recordCall, remoteVideoWidth } from './support/call-page.js';
import { seedUser, startHarness, type Harness } from './support/harness.js';

let harness: Harness;
const contexts: BrowserContext[] = [];
let n = 0;
const shots = 'test-results/web';

beforeAll(async () => {
  harness = await startHarness({ ringMs: 4_000, graceMs: 5_000 });
  await mkdir(shots, { recursive: true });
}, 60_000);
afterAll(() => harness?.close());
afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
});

/** A (Quinn) with the conversation open, and B (Rosa) on the app's home screen. */
async function twoPeople() {
  n++;
  const a = seedUser(harness.api, `quinn${n}`, 'Quinn');
  const b = seedUser(harness.api, `rosa${n}`, 'Rosa');
  const contactId = harness.api.store.addContact(a.user.id, b.user.username).contact.id;
  const open = async (token: string, hash: string) => {
    const context = await signedInContext(harness.browser, harness.url, token, { viewport: { width: 1100, height: 760 } });
    contexts.push(context);
    return openPage(context, `${harness.url}/${hash}`);
  };
  const pageA = await open(a.token, `#/contacts/${contactId}`);
  const pageB = await open(b.token, '#/');
  await pageA.getByRole('heading', { name: 'Rosa' }).waitFor();
  await pageB.getByTestId('contact-item').waitFor();
  await Promise.all([recordCall(pageA), recordCall(pageB)]);
  return { a, b, contactId, pageA, pageB };
}

async function call(pageA: Page) {
  await pageA.getByRole('button', { name: 'Video call Rosa' }).click();
  await pageA.getByTestId('call-lobby').waitFor();
  // The lobby previews the camera and lets the user pick devices before calling.
  await expect.poll(() => pageA.getByRole('combobox', { name: 'Camera' }).locator('option').count()).toBeGreaterThan(0);
  await pageA.getByTestId('start-call').click();
  await pageA.getByTestId('call-view').waitFor();
}

async function videoFlows(page: Page, other?: Page) {
  try {
    await expect.poll(() => remoteVideoWidth(page), { timeout: 15_000 }).toBeGreaterThan(0);
    const before = await framesDecoded(page);
    await expect.poll(() => framesDecoded(page), { timeout: 10_000 }).toBeGreaterThan(before + 5);
  } catch (error) {
    const elsewhere = other ? `\nother side: ${await describeCall(other)}` : '';
    throw new Error(`no video on ${page.url()}: ${await describeCall(page)}${elsewhere}`, { cause: error });
  }
}

describe('calls between two browsers', () => {
  it('rings, connects video both ways, shows mute, survives a reload, and ends for both', async () => {
    const { pageA, pageB } = await twoPeople();
    await call(pageA);
    await expect.poll(() => pageA.getByTestId('call-status').textContent()).toBe('Calling Rosa…');

    const incoming = pageB.getByRole('alertdialog', { name: 'Quinn' });
    await incoming.waitFor();
    await pageB.screenshot({ path: `${shots}/incoming-call.png` });
    await incoming.getByRole('button', { name: 'Accept' }).click();
    await pageB.getByTestId('call-view').waitFor();
    await Promise.all([videoFlows(pageA, pageB), videoFlows(pageB, pageA)]);
    // The fake microphone beeps: the speaking ring lights up on the other side's tile.
    await pageB.locator('derbel-video-tile[speaking]:not([self])').waitFor({ timeout: 10_000 });
    await pageA.screenshot({ path: `${shots}/in-call.png` });

    await pageA.getByTestId('toggle-audio').click();
    await pageB.locator('derbel-video-tile:not([self])').getByTestId('muted-marker').waitFor();
    await pageA.getByTestId('toggle-audio').click();
    await expect.poll(() => pageB.locator('derbel-video-tile:not([self])').getByTestId('muted-marker').count()).toBe(0);

    await pageB.reload({ waitUntil: 'domcontentloaded' });
    await pageB.getByTestId('call-view').waitFor();
    await Promise.all([videoFlows(pageA, pageB), videoFlows(pageB, pageA)]);

    await pageA.getByTestId('end-call').click();
    await expect.poll(() => pageA.getByTestId('call-view').count()).toBe(0);
    await expect.poll(() => pageB.getByTestId('call-view').count()).toBe(0);
    await pageB.getByTestId('call-ended').getByText('The call has ended.').waitFor();
    expect([...pageA.errors, ...pageB.errors]).toEqual([]);
  });

  it('shares the screen instead of the camera, and back; one screen at a time', async () => {
    const { pageA, pageB } = await twoPeople();
    await call(pageA);
    await pageB.getByRole('button', { name: 'Accept' }).click();
    await videoFlows(pageB, pageA);
    await pageA.getByTestId('toggle-screen').click();
    await expect.poll(() => pageA.getByTestId('toggle-screen').textContent()).toContain('Stop sharing');
    await videoFlows(pageB, pageA);
    // B sees whose screen it is, and cannot share over it.
    await pageB.locator('derbel-video-tile:not([self])').getByTestId('sharing-marker').waitFor();
    await expect.poll(() => pageB.getByTestId('toggle-screen').isDisabled()).toBe(true);
    expect(await pageB.getByTestId('toggle-screen').getAttribute('title')).toBe('Quinn is sharing their screen');
    await pageA.getByTestId('toggle-screen').click();
    await expect.poll(() => pageA.getByTestId('toggle-screen').textContent()).toContain('Share screen');
    await videoFlows(pageB, pageA);
    await expect.poll(() => pageB.getByTestId('toggle-screen').isDisabled()).toBe(false);
    expect(await pageB.locator('derbel-video-tile:not([self])').getByTestId('sharing-marker').count()).toBe(0);
  });

  type Shared = { client: { call: { media: { shareScreen(): Promise<void>; state: { value: { sharing: boolean } } } } } };
  const share = (page: Page) =>
    page.evaluate(() => (document.querySelector('derbel-app') as unknown as Shared).client.call.media.shareScreen());
  const sharing = (page: Page) =>
    page.evaluate(() => (document.querySelector('derbel-app') as unknown as Shared).client.call.media.state.value.sharing);
  const selfPeerId = (page: Page) =>
    page.evaluate(
      () =>
        (
          document.querySelector('derbel-app') as unknown as {
            client: { call: { view: { value: { session: { state: { value: { selfPeerId: string } } } } } } };
          }
        ).client.call.view.value.session.state.value.selfPeerId,
    );

  it('one who starts sharing after hearing of another share settles by the same rule (the higher peer id stops)', async () => {
    const { pageA, pageB } = await twoPeople();
    await call(pageA);
    await pageB.getByRole('button', { name: 'Accept' }).click();
    await videoFlows(pageB, pageA);
    await share(pageA);
    await pageB.locator('derbel-video-tile:not([self])').getByTestId('sharing-marker').waitFor();
    // Past the disabled button, as a click landing with the news would.
    await share(pageB);
    const keeps = (await selfPeerId(pageA)) < (await selfPeerId(pageB)) ? pageA : pageB;
    const yields = keeps === pageA ? pageB : pageA;
    await expect.poll(() => sharing(yields)).toBe(false);
    await expect.poll(() => sharing(keeps)).toBe(true);
    await yields.locator('derbel-video-tile:not([self])').getByTestId('sharing-marker').waitFor();
  });

  it('two starting to share at once settle on one screen: the one whose peer id sorts higher stops', async () => {
    const { pageA, pageB } = await twoPeople();
    await call(pageA);
    await pageB.getByRole('button', { name: 'Accept' }).click();
    await videoFlows(pageB, pageA);
    // Past the buttons (the second one would wait for the first share's end): both start before hearing of the other.
    await Promise.all([share(pageA), share(pageB)]);
    const keeps = (await selfPeerId(pageA)) < (await selfPeerId(pageB)) ? pageA : pageB;
    const yields = keeps === pageA ? pageB : pageA;
    await expect.poll(() => sharing(yields)).toBe(false);
    expect(await sharing(keeps)).toBe(true);
    await yields.locator('derbel-video-tile:not([self])').getByTestId('sharing-marker').waitFor();
    await expect.poll(() => yields.getByTestId('toggle-screen').isDisabled()).toBe(true);
  });

  it('turns the camera off and on; the peer sees the camera-off tile meanwhile', async () => {
    const { pageA, pageB } = await twoPeople();
    await call(pageA);
    await pageB.getByRole('button', { name: 'Accept' }).click();
    await videoFlows(pageB, pageA);
    const remote = pageB.locator('derbel-video-tile:not([self])');
    await pageA.getByTestId('toggle-video').click();
    await expect.poll(() => remote.getByRole('figure').getAttribute('aria-label')).toContain('camera off');
    await pageA.getByTestId('toggle-video').click();
    await expect.poll(() => remote.getByRole('figure').getAttribute('aria-label')).not.toContain('camera off');
    await videoFlows(pageB, pageA);
  });

  it('a declined call says so to the caller and shows in both conversations and call logs', async () => {
    const { pageA, pageB } = await twoPeople();
    await call(pageA);
    await pageB.getByRole('alertdialog').getByRole('button', { name: 'Decline' }).click();
    await pageA.getByTestId('call-ended').getByText('The call was declined.').waitFor();
    await pageA.getByRole('button', { name: 'Close' }).click();
    await pageA.getByTestId('call-entry').filter({ hasText: 'Call declined' }).waitFor();
    await pageB.getByTestId('calls-link').click();
    await pageB.getByTestId('call-log-entry').filter({ hasText: 'You declined' }).waitFor();
  });

  it('an unanswered call ends as missed and shows as a missed call to the callee', async () => {
    const { pageA, pageB } = await twoPeople();
    await call(pageA);
    await pageB.getByRole('alertdialog').waitFor();
    await pageA.getByTestId('call-ended').getByText('No answer.').waitFor({ timeout: 10_000 });
    await expect.poll(() => pageB.getByRole('alertdialog').count()).toBe(0);
    await pageB.getByTestId('contact-item').click();
    await pageB.getByTestId('call-entry').filter({ hasText: 'Missed call' }).waitFor();
    await pageB.getByTestId('calls-link').click();
    await pageB.getByTestId('call-log-entry').filter({ hasText: 'Missed call' }).waitFor();
  });

  it('a contact removed during a call ends the call on both sides and closes the conversation', async () => {
    const { a, contactId, pageA, pageB } = await twoPeople();
    await call(pageA);
    await pageB.getByRole('alertdialog', { name: 'Quinn' }).getByRole('button', { name: 'Accept' }).click();
    await pageB.getByTestId('call-view').waitFor();
    harness.api.store.removeContact(a.user.id, contactId);
    await pageA.getByTestId('call-ended').getByText('The call has ended.').waitFor();
    await pageB.getByTestId('call-ended').getByText('The call has ended.').waitFor();
    await expect.poll(() => pageA.evaluate(() => location.hash)).toBe('#/');
    await expect.poll(() => pageB.getByTestId('contact-item').count()).toBe(0);
    // Neither tab goes back into the call after a reload.
    await pageA.reload();
    await pageA.getByText('No contacts yet').waitFor();
    expect(await pageA.getByTestId('call-view').count()).toBe(0);
  });
});
