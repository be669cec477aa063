import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { videoFlows } from './support/call-page.js';
import { contactItem, E2eApp, type Person, texts } from './support/e2e-app.js';

const app = new E2eApp('cl', { MEETING_RING_TIMEOUT_MS: '8000' });

beforeAll(() => app.start(), 120_000);
afterAll(() => app.stop());
afterEach(() => app.closeContexts());

/** Two contacts, each with the conversation open. */
async function pair(): Promise<{ anna: Person; boris: Person }> {
  const anna = await app.signUp('anna');
  const boris = await app.signUp('boris');
  await app.addContact(anna, boris);
  await contactItem(anna.page, 'Boris').click();
  await contactItem(boris.page, 'Anna').click();
  return { anna, boris };
}

/** Which element has keyboard focus, through shadow roots: its data-testid (or tag name). */
const focused = (page: Page) =>
  page.evaluate(() => {
    let element = document.activeElement;
    while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement;
    return element?.getAttribute('data-testid') ?? element?.tagName.toLowerCase() ?? null;
  });

/** The generated ringtone as the page plays it: whether it is on, and whether sound comes out now. */
const ringtone = (page: Page) =>
  page.evaluate(() => {
    const app = document.querySelector('derbel-app') as unknown as {
      client: { ringtone: { playing: { value: boolean }; level(): number } };
    };
    return { playing: app.client.ringtone.playing.value, sounding: app.client.ringtone.level() > 0.01 };
  });

async function ring(caller: Person, callee: Person) {
  await caller.page.getByTestId('call-button').click();
  await caller.page.getByTestId('start-call').click();
  await callee.page.getByRole('alertdialog').waitFor();
}

describe('Calls against a real server', () => {
  it(
    'an incoming call leaves focus in the composer: Enter sends the message, only the Accept button answers',
    { timeout: 90_000 },
    async () => {
      const { anna, boris } = await pair();
      const input = boris.page.getByTestId('composer-input');
      await input.click();
      await input.pressSequentially('I am typ');
      await ring(anna, boris);
      await boris.page.keyboard.type('ing');
      await boris.page.keyboard.press('Enter');
      await expect.poll(() => texts(anna.page)).toEqual(['I am typing']);
      expect(await focused(boris.page)).toBe('composer-input');
      expect(await boris.page.getByTestId('call-view').count()).toBe(0);
      await boris.page.getByRole('alertdialog').waitFor();

      await boris.page.getByRole('alertdialog').getByRole('button', { name: 'Accept' }).click();
      await boris.page.getByTestId('call-view').waitFor();
      expect(boris.page.errors).toEqual([]);
    },
  );

  it('mute and camera-off survive a reload mid-call and carry over to the next call on this device', { timeout: 120_000 }, async () => {
    const { anna, boris } = await pair();
    await ring(anna, boris);
    await boris.page.getByRole('alertdialog').getByRole('button', { name: 'Accept' }).click();
    await Promise.all([videoFlows(anna.page), videoFlows(boris.page)]);
    const remoteTile = anna.page.locator('derbel-video-tile:not([self])');
    const pressed = (page: Page, id: string) => page.getByTestId(id).getAttribute('aria-pressed');

    const audioOn = await pressed(boris.page, 'toggle-audio');
    const videoOn = await pressed(boris.page, 'toggle-video');
    await boris.page.getByTestId('toggle-audio').click();
    await boris.page.getByTestId('toggle-video').click();
    await expect.poll(() => pressed(boris.page, 'toggle-audio')).not.toBe(audioOn);
    await expect.poll(() => pressed(boris.page, 'toggle-video')).not.toBe(videoOn);
    await remoteTile.getByTestId('muted-marker').waitFor();
    const mutedState = { audio: await pressed(boris.page, 'toggle-audio'), video: await pressed(boris.page, 'toggle-video') };

    await boris.page.reload({ waitUntil: 'domcontentloaded' });
    await boris.page.getByTestId('call-view').waitFor({ timeout: 20_000 });
    await expect.poll(() => pressed(boris.page, 'toggle-audio')).toBe(mutedState.audio);
    await expect.poll(() => pressed(boris.page, 'toggle-video')).toBe(mutedState.video);
    await remoteTile.getByTestId('muted-marker').waitFor();
    expect(
      await boris.page.evaluate(() => {
        const app = document.querySelector('derbel-app') as unknown as { client: { call: { media: { stream: MediaStream } | null } } };
        const stream = app.client.call.media?.stream;
        return { audio: stream?.getAudioTracks().some((t) => t.enabled) ?? null, video: stream?.getVideoTracks().length ?? null };
      }),
    ).toEqual({ audio: false, video: 0 });

    await anna.page.getByTestId('end-call').click();
    await boris.page.getByTestId('call-ended').waitFor();
    await boris.page.getByRole('button', { name: 'Close' }).click();
    await boris.page.getByTestId('call-button').click();
    await boris.page.getByTestId('start-call').click();
    await anna.page.getByRole('alertdialog').getByRole('button', { name: 'Accept' }).click();
    await boris.page.getByTestId('call-view').waitFor();
    await expect.poll(() => pressed(boris.page, 'toggle-audio')).toBe(mutedState.audio);
    await expect.poll(() => pressed(boris.page, 'toggle-video')).toBe(mutedState.video);
    await remoteTile.getByTestId('muted-marker').waitFor();
  });

  it('a generated ringtone sounds while a call rings, and stops on decline, on answer and on timeout', { timeout: 120_000 }, async () => {
    const { anna, boris } = await pair();
    const silent = { playing: false, sounding: false };
    expect(await ringtone(boris.page)).toEqual(silent);

    await ring(anna, boris);
    await expect.poll(() => ringtone(boris.page), { timeout: 10_000 }).toEqual({ playing: true, sounding: true });
    expect((await ringtone(anna.page)).playing).toBe(false);
    await boris.page.getByRole('alertdialog').getByRole('button', { name: 'Decline' }).click();
    await expect.poll(() => ringtone(boris.page)).toEqual(silent);
    await anna.page.getByRole('button', { name: 'Close' }).click();

    await ring(anna, boris);
    await expect.poll(() => ringtone(boris.page), { timeout: 10_000 }).toEqual({ playing: true, sounding: true });
    await boris.page.getByRole('alertdialog').getByRole('button', { name: 'Accept' }).click();
    await expect.poll(() => ringtone(boris.page)).toEqual(silent);
    await anna.page.getByTestId('end-call').click();
    await boris.page.getByTestId('call-ended').waitFor();
    await boris.page.getByRole('button', { name: 'Close' }).click();

    await ring(anna, boris);
    await expect.poll(() => ringtone(boris.page), { timeout: 10_000 }).toEqual({ playing: true, sounding: true });
    await expect.poll(() => boris.page.getByRole('alertdialog').count(), { timeout: 40_000 }).toBe(0);
    await expect.poll(() => ringtone(boris.page)).toEqual(silent);
  });
});
