/**
 * Regenerates the screenshots in web/docs/ from the production build against a real api node
 * (test database on the machine's PostgreSQL, Debian Chromium): `npm run screenshots:web`.
 */
import { mkdir } from 'node:fs/promises';
import { contactItem, E2eApp } from '../test/web/support/e2e-app.js';
import { remoteVideoWidth } from '../test/web/support/call-page.js';

/** Waits (at most 30 s) until the page shows the other person's video. */
async function videoShown(page: Parameters<typeof remoteVideoWidth>[0]) {
  const until = Date.now() + 30_000;
  while ((await remoteVideoWidth(page)) === 0) {
    if (Date.now() > until) throw new Error('no remote video');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const out = 'web/docs';
const app = new E2eApp('doc');

async function main() {
  await mkdir(out, { recursive: true });
  await app.start();
  try {
    const anna = await app.signUp('anna');
    const boris = await app.signUp('boris');
    const carla = await app.signUp('carla');
    await app.addContact(anna, boris);
    await app.addContact(anna, carla);
    const say = async (page: typeof anna.page, text: string) => {
      await page.getByTestId('composer-input').fill(text);
      await page.getByTestId('composer-input').press('Enter');
    };
    await contactItem(boris.page, 'Anna').click();
    await contactItem(anna.page, 'Boris').click();
    await say(boris.page, 'Morning! Are we still on for the design review?');
    await say(anna.page, 'Yes, 10:30. I put the mock-ups on https://example.com/review');
    await say(boris.page, 'Great, calling you in a minute.');
    await contactItem(carla.page, 'Anna').click();
    await say(carla.page, 'Lunch later?');
    await anna.page.getByTestId('message-text').filter({ hasText: 'calling you' }).waitFor();
    await anna.page.screenshot({ path: `${out}/conversation.png` });

    await app.createGroup(anna, 'Design review', [boris, carla]);
    await say(anna.page, 'Mock-ups are up, comments welcome before 10:30');
    for (const person of [boris, carla]) await contactItem(person.page, 'Design review').click();
    await say(boris.page, 'Looks good to me');
    await say(carla.page, 'One question about the header, see you there');
    await anna.page.getByTestId('seen').filter({ hasText: 'Seen by 2' }).waitFor();
    await anna.page.getByTestId('members-toggle').click();
    await boris.page.getByTestId('composer-input').pressSequentially('On my way, bringing coffee', { delay: 80 });
    await anna.page.getByTestId('typing').filter({ hasText: 'Boris is typing' }).waitFor();
    await anna.page.screenshot({ path: `${out}/group.png` });
    await anna.page.getByTestId('members-toggle').click();
    await boris.page.getByTestId('composer-input').press('Enter');
    await contactItem(boris.page, 'Anna').click();
    await contactItem(carla.page, 'Anna').click();
    await contactItem(anna.page, 'Boris').click();

    await boris.page.getByTestId('call-button').click();
    await boris.page.getByTestId('start-call').click();
    await anna.page.getByRole('alertdialog').waitFor();
    await anna.page.screenshot({ path: `${out}/incoming-call.png` });
    await anna.page.getByRole('alertdialog').getByRole('button', { name: 'Accept' }).click();
    await Promise.all([videoShown(anna.page), videoShown(boris.page)]);
    await anna.page.screenshot({ path: `${out}/in-call.png` });
    await boris.page.getByTestId('end-call').click();
    await anna.page.getByTestId('call-ended').waitFor();
    await anna.page.getByRole('button', { name: 'Close' }).click();

    await anna.page.getByTestId('calls-link').click();
    await anna.page.getByTestId('call-log-entry').first().waitFor();
    await anna.page.screenshot({ path: `${out}/call-log.png` });

    await anna.page.evaluate(() => (location.hash = '#/'));
    await contactItem(anna.page, 'Boris').click();
    await anna.page.getByTestId('theme').selectOption('dark');
    await anna.page.screenshot({ path: `${out}/dark.png` });
    await anna.page.getByTestId('theme').selectOption('system');

    await anna.page.setViewportSize({ width: 390, height: 844 });
    await anna.page.screenshot({ path: `${out}/phone.png` });
  } finally {
    await app.closeContexts();
    await app.stop();
  }
}

await main();
console.log(`Screenshots written to ${out}/`);
