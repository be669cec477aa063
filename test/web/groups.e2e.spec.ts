import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from './support/axe.js';
import { contactItem, E2eApp, texts, say } from './support/e2e-app.js';

const app = new E2eApp('gr');

beforeAll(() => app.start(), 120_000);
afterAll(() => app.stop());
afterEach(() => app.closeContexts());

const notes = (page: Page) => page.getByTestId('group-note').allTextContents();
const typing = (page: Page) =>
  page
    .getByTestId('typing')
    .textContent()
    .then((text) => text?.trim() ?? '');
/** Answers yes in the open `<derbel-confirm>`. */
const confirm = (page: Page) => page.getByRole('dialog').getByTestId('confirm-action').click();
const membersPanel = (page: Page) => page.getByTestId('group-members');

async function openMembers(page: Page) {
  if ((await membersPanel(page).count()) === 0) await page.getByTestId('members-toggle').click();
  await membersPanel(page).waitFor();
}

/** Each person signs up; `hub` makes the others their contacts (the others need not know each other). */
async function people(hub: string, ...others: string[]) {
  const all = await Promise.all([hub, ...others].map((name) => app.signUp(name)));
  for (const other of all.slice(1)) await app.addContact(all[0]!, other);
  return all;
}

describe('Group conversations against a real server (three and four browsers)', () => {
  it(
    'a group made by one shows live for all; messages, names, typing, "Seen by N", unread and rename reach everyone',
    { timeout: 150_000 },
    async () => {
      const [anna, boris, carla] = await people('anna', 'boris', 'carla');
      await app.createGroup(anna, 'Trip', [boris, carla]);
      expect(await anna.page.getByTestId('members-toggle').textContent()).toContain('3 members');
      expect(await notes(anna.page)).toEqual(['You created the group']);

      await contactItem(boris.page, 'Trip').click();
      await say(anna, 'Hello both');
      // Carla is elsewhere: the row says who wrote what, and counts it unread (in the title too).
      await expect.poll(() => contactItem(carla.page, 'Trip').getByTestId('conversation-preview').textContent()).toBe('Anna: Hello both');
      await expect.poll(() => contactItem(carla.page, 'Trip').getByTestId('unread-badge').textContent()).toBe('1');
      await expect.poll(() => carla.page.title()).toMatch(/^\(1\) /);
      await expect.poll(() => texts(boris.page)).toEqual(['Hello both']);
      expect(await boris.page.getByTestId('sender-name').allTextContents()).toEqual(['Anna']);

      await contactItem(carla.page, 'Trip').click();
      await expect.poll(() => texts(carla.page)).toEqual(['Hello both']);
      await expect.poll(() => anna.page.getByTestId('seen').textContent()).toBe('Seen by 2');
      await expect.poll(() => carla.page.title()).not.toMatch(/^\(/);

      await boris.page.getByTestId('composer-input').pressSequentially('On my');
      await expect.poll(() => typing(anna.page)).toBe('Boris is typing…');
      await carla.page.getByTestId('composer-input').pressSequentially('Me t');
      await expect.poll(() => typing(anna.page)).toMatch(/^(Boris and Carla|Carla and Boris) are typing…$/);
      await boris.page.getByTestId('composer-input').press('Enter');
      await carla.page.getByTestId('composer-input').press('Enter');
      for (const person of [anna, boris, carla]) await expect.poll(() => texts(person.page).then((all) => all.length)).toBe(3);
      expect(new Set(await anna.page.getByTestId('sender-name').allTextContents())).toEqual(new Set(['Boris', 'Carla']));
      // Anna's own latest message is further up now: the mark belongs to her newest one only.
      await say(anna, 'See you there');
      await expect.poll(() => anna.page.getByTestId('seen').textContent()).toBe('Seen by 2');

      await openMembers(boris.page);
      await boris.page.getByTestId('rename-group').click();
      await boris.page.getByTestId('rename-input').fill('Trip to Oslo');
      await boris.page.getByTestId('rename-save').click();
      for (const person of [anna, boris, carla]) {
        await person.page.getByTestId('conversation-title').filter({ hasText: 'Trip to Oslo' }).waitFor();
        await contactItem(person.page, 'Trip to Oslo').waitFor();
      }
      await expect.poll(() => notes(carla.page)).toContain('Boris renamed the group to “Trip to Oslo”');

      await carla.page.emulateMedia({ colorScheme: 'dark' });
      await anna.page.setViewportSize({ width: 390, height: 844 });
      expect([
        ...(await seriousViolations(anna.page, 'group conversation with members panel, phone')),
        ...(await seriousViolations(carla.page, 'group conversation, dark')),
      ]).toEqual([]);
      for (const person of [anna, boris, carla]) expect(person.page.errors).toEqual([]);
    },
  );

  it(
    'add a fourth (who sees history from joining), remove one (composer disabled, nothing more arrives), leave with the admin handed over',
    { timeout: 150_000 },
    async () => {
      const [anna, boris, carla, dan] = await people('anna', 'boris', 'carla', 'dan');
      await app.createGroup(anna, 'Band', [boris, carla]);
      await say(anna, 'Before Dan');
      for (const person of [boris, carla]) await contactItem(person.page, 'Band').click();
      await expect.poll(() => texts(carla.page)).toEqual(['Before Dan']);

      await openMembers(anna.page);
      await anna.page.getByTestId('add-members').click();
      await anna.page.locator(`[data-testid="picker-option"][data-username="${dan.name}"]`).getByRole('checkbox').check();
      await anna.page.getByTestId('add-members-confirm').click();
      await contactItem(dan.page, 'Band').click();
      await dan.page.getByTestId('joined-note').waitFor();
      await expect.poll(() => dan.page.getByTestId('members-toggle').textContent()).toContain('4 members');
      await expect.poll(() => notes(boris.page)).toContain('Anna added Dan');
      await say(dan, 'Hi, I am Dan');
      for (const person of [anna, boris, carla]) await expect.poll(() => texts(person.page)).toEqual(['Before Dan', 'Hi, I am Dan']);
      expect(await texts(dan.page)).toEqual(['Hi, I am Dan']);

      // Members may add people until an admin says only admins may; Boris's panel follows live.
      await openMembers(boris.page);
      await membersPanel(boris.page).getByTestId('add-members').waitFor();
      expect(await membersPanel(boris.page).getByTestId('members-may-add').count()).toBe(0);
      await anna.page.getByTestId('members-may-add').uncheck();
      await expect.poll(() => membersPanel(boris.page).getByTestId('add-members').count()).toBe(0);
      await expect.poll(() => notes(dan.page)).toContain('Anna let only admins add people');

      await anna.page.getByRole('button', { name: 'Remove Carla from the group' }).click();
      await confirm(anna.page);
      await carla.page.getByTestId('left-banner').waitFor();
      expect(await carla.page.getByTestId('composer-input').isDisabled()).toBe(true);
      await expect.poll(() => notes(dan.page)).toContain('Anna removed Carla');
      await say(boris, 'Carla is gone');
      await expect.poll(() => texts(dan.page)).toContain('Carla is gone');
      await expect.poll(() => texts(anna.page)).toContain('Carla is gone');
      // What Carla saw stays readable; what came after never reaches her.
      expect(await texts(carla.page)).toEqual(['Before Dan', 'Hi, I am Dan']);

      await anna.page.getByTestId('leave-group').click();
      await confirm(anna.page);
      await anna.page.getByTestId('left-banner').waitFor();
      // Boris is the longest-standing member left: he inherits the admin role, and everyone is told.
      await expect.poll(() => notes(boris.page)).toEqual(expect.arrayContaining(['Anna left', 'You are now an admin']));
      await expect.poll(() => notes(dan.page)).toEqual(expect.arrayContaining(['Anna left', 'Boris is now an admin']));
      await openMembers(boris.page);
      await expect.poll(() => membersPanel(boris.page).locator(`[data-testid="group-member"][data-role="admin"]`).count()).toBe(1);
      expect(await membersPanel(boris.page).getByTestId('remove-member').count()).toBe(1);
      await expect.poll(() => boris.page.getByTestId('members-toggle').textContent()).toContain('2 members');
      for (const person of [anna, boris, carla, dan]) expect(person.page.errors).toEqual([]);
    },
  );
});
