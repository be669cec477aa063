import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeCall, framesDecoded, recordCall } from './support/call-page.js';
import { E2eApp, type Person } from './support/e2e-app.js';

const app = new E2eApp('gc', { MEETING_RING_TIMEOUT_MS: '20000' });

beforeAll(() => app.start(), 120_000);
afterAll(() => app.stop());
afterEach(() => app.closeContexts());

type AppClient = {
  contacts: { value: { contacts: Array<{ peer: { id: string } }> } };
  groups: { create(title: string, memberIds: string[]): Promise<{ id: string }> };
  group(id: string): unknown;
};

/** `creator` makes a group of their contacts through the app's client; everyone then has it open. */
async function groupOf(title: string, creator: Person, others: Person[]): Promise<string> {
  const groupId = await creator.page.evaluate(async (title) => {
    const client = (document.querySelector('derbel-app') as unknown as { client: AppClient }).client;
    const group = await client.groups.create(
      title,
      client.contacts.value.contacts.map((contact) => contact.peer.id),
    );
    return group.id;
  }, title);
  for (const person of [creator, ...others]) {
    await person.page.waitForFunction(
      (id) => Boolean((document.querySelector('derbel-app') as unknown as { client: AppClient }).client.group(id)),
      groupId,
    );
    await person.page.evaluate((id) => (location.hash = `#/contacts/${id}`), groupId);
    await person.page.getByRole('heading', { name: title }).waitFor();
  }
  return groupId;
}

/** The decoded width of every remote tile's video (0 while none arrived). */
const remoteWidths = (page: Page) =>
  page
    .locator('derbel-video-tile:not([self])')
    .evaluateAll((tiles) =>
      tiles.map((tile) => (tile as unknown as { videoElement: HTMLVideoElement | null }).videoElement?.videoWidth ?? 0),
    );

async function everyTileShowsVideo(page: Page, remotes: number) {
  try {
    await expect.poll(() => remoteWidths(page), { timeout: 30_000 }).toEqual(Array.from({ length: remotes }, () => expect.any(Number)));
    await expect.poll(async () => (await remoteWidths(page)).every((width) => width > 0), { timeout: 30_000 }).toBe(true);
    const before = await framesDecoded(page);
    await expect.poll(() => framesDecoded(page), { timeout: 15_000 }).toBeGreaterThan(before + 5 * remotes);
  } catch (error) {
    throw new Error(`not every tile shows video on ${page.url()}: ${await describeCall(page)}`, { cause: error });
  }
}

describe('A group call in the browser', () => {
  it(
    'A calls, B and C join, every tile shows video; C leaves and A and B go on; C rejoins and D, who declined, joins mid-call',
    { timeout: 240_000 },
    async () => {
      const anna = await app.signUp('anna');
      const boris = await app.signUp('boris');
      const cleo = await app.signUp('cleo');
      const dora = await app.signUp('dora');
      for (const other of [boris, cleo, dora]) await app.addContact(anna, other);
      await groupOf('Trip', anna, [boris, cleo, dora]);
      await Promise.all([anna, boris, cleo, dora].map((person) => recordCall(person.page)));

      await anna.page.getByTestId('call-button').click();
      await anna.page.getByTestId('start-call').click();
      for (const person of [boris, cleo, dora]) {
        const ring = person.page.getByRole('alertdialog');
        await expect.poll(() => ring.textContent()).toMatch(/Anna.*is calling Trip/s);
        await ring.getByRole('button', { name: person === dora ? 'Decline' : 'Accept' }).click();
      }
      await Promise.all([anna, boris, cleo].map((person) => everyTileShowsVideo(person.page, 2)));
      for (const person of [anna, boris, cleo]) {
        expect(await person.page.getByTestId('call-view').getAttribute('data-participants')).toBe('3');
        expect(await person.page.getByTestId('call-stage').getAttribute('class')).toContain('grid-2x2');
      }
      const names = await anna.page
        .locator('derbel-video-tile:not([self])')
        .evaluateAll((tiles) => tiles.map((t) => t.getAttribute('name')));
      expect(names.sort()).toEqual(['Boris', 'Cleo']);

      await cleo.page.getByTestId('leave-call').click();
      await cleo.page.getByTestId('call-view').waitFor({ state: 'detached' });
      await Promise.all([anna, boris].map((person) => everyTileShowsVideo(person.page, 1)));
      for (const person of [anna, boris]) {
        expect(await person.page.getByTestId('call-view').getAttribute('data-participants'), await describeCall(person.page)).toBe('2');
      }

      // Back in through the conversation's call button, and the one who declined joins the running call.
      for (const person of [cleo, dora]) {
        await person.page.getByTestId('call-button').click();
        await person.page.getByTestId('start-call').click();
        await person.page.getByTestId('call-view').waitFor();
      }
      await Promise.all([anna, boris, cleo, dora].map((person) => everyTileShowsVideo(person.page, 3)));
      for (const person of [anna, boris, cleo, dora]) {
        expect(await person.page.getByTestId('call-view').getAttribute('data-participants')).toBe('4');
      }

      // The call ends with the last one out; it is logged as the group's.
      for (const person of [boris, cleo, dora, anna]) await person.page.getByTestId('leave-call').click();
      await anna.page.getByTestId('calls-link').click();
      await anna.page.getByTestId('call-log-entry').filter({ hasText: 'Trip' }).getByRole('button', { name: 'Call back Trip' }).waitFor();
      expect([anna, boris, cleo, dora].flatMap((person) => person.page.errors)).toEqual([]);
    },
  );
});
