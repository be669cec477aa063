import { mkdir } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { launchBrowser, openPage } from './browser.js';
import { buildWebDist } from './web-build.js';

export type Person = { page: Page & { errors: string[] }; context: BrowserContext; name: string; displayName: string };

/**
 * The production build against a real api node on PostgreSQL, with people signing up in their own
 * browser contexts. Call `start` in `beforeAll`, `stop` in `afterAll`, `closeContexts` in `afterEach`.
 */
export class E2eApp {
  server!: TestServer;
  browser!: Browser;
  private contexts: BrowserContext[] = [];
  private n = 0;

  constructor(
    private readonly prefix: string,
    private readonly env: Record<string, string> = {},
  ) {}

  /** `env`: more settings for the api node, e.g. `CORS_ORIGINS` once a host page's origin is known. */
  async start(env: Record<string, string> = {}) {
    await buildWebDist();
    const [server, browser] = await Promise.allSettled([startTestServer({ env: { ...this.env, ...env } }), launchBrowser()]);
    // Whichever started is kept for stop(), even when the other failed: a server left running holds its database's connections.
    if (server.status === 'fulfilled') this.server = server.value;
    if (browser.status === 'fulfilled') this.browser = browser.value;
    for (const outcome of [server, browser]) if (outcome.status === 'rejected') throw outcome.reason;
    await mkdir('test-results/web', { recursive: true });
  }

  async stop() {
    await this.browser?.close();
    await this.server?.close();
  }

  async closeContexts() {
    for (const context of this.contexts.splice(0)) await context.close();
  }

  async newContext(options: Parameters<Browser['newContext']>[0] = {}) {
    const context = await this.browser.newContext({ viewport: { width: 1100, height: 760 }, ...options });
    this.contexts.push(context);
    return context;
  }

  /** A new person, signed up through the UI; names are unique across the file. */
  async signUp(base: string, options: Parameters<Browser['newContext']>[0] = {}): Promise<Person> {
    const name = `${this.prefix}${base}${++this.n}`;
    const displayName = base[0].toUpperCase() + base.slice(1);
    const context = await this.newContext(options);
    const page = await openPage(context, this.server.url);
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Username').fill(name);
    await page.getByLabel('Display name').fill(displayName);
    await page.getByLabel('Password').fill('password123');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByTestId('signed-in-as').waitFor();
    return { page, context, name, displayName };
  }

  /**
   * `person` asks `other` through the add-contact box, `other` accepts in the Requests section (and is
   * put back on the page they were on), and both see the contact's row.
   */
  async addContact(person: Person, other: Person) {
    const otherWasOn = await other.page.evaluate(() => location.hash);
    await person.page.getByTestId('add-contact-input').fill(other.name);
    await person.page.getByTestId('add-contact-input').press('Enter');
    // Requests name their peer by username (docs/contacts-consent.md); by display name if they ever carry one.
    const accept = other.page.getByRole('button', { name: new RegExp(`^Accept (${person.name}|${person.displayName})$`) });
    const row = contactItem(other.page, person.displayName);
    // A server without requests adds the contact at once.
    await accept.or(row).first().waitFor();
    if (await accept.count()) {
      await accept.click();
      await row.waitFor();
      // Accepting opens the conversation once its answer is in, which can come after the pushed row.
      await other.page.waitForFunction((hash) => location.hash !== hash, otherWasOn);
      await other.page.evaluate((hash) => (location.hash = hash), otherWasOn);
    }
    await contactItem(person.page, other.displayName).waitFor();
  }

  /**
   * `person` makes a group with `members` (their contacts) through the New group dialog; it opens on
   * their page. The others see it in their list live.
   */
  async createGroup(person: Person, title: string, members: Person[]) {
    const page = person.page;
    await page.getByTestId('new-group').click();
    const dialog = page.getByTestId('new-group-dialog');
    await dialog.getByLabel('Group name').fill(title);
    for (const member of members)
      await dialog.locator(`[data-testid="picker-option"][data-username="${member.name}"]`).getByRole('checkbox').check();
    await dialog.getByTestId('create-group').click();
    await page.getByTestId('conversation-title').filter({ hasText: title }).waitFor();
    for (const member of members) await contactItem(member.page, title).waitFor();
  }
}

/** A row of the conversation list by its name: a contact's display name or a group's title (not a preview that mentions it). */
export const contactItem = (page: Page, name: string) =>
  page
    .getByTestId('contact-item')
    .filter({ has: page.locator('span.name', { hasText: new RegExp(`^\\s*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) }) });

/**
 * Opens the conversation named `name` from the list and waits until it shows: the click only changes the
 * address, and the conversation renders a moment later, so typing at once could go to the one open before.
 */
export async function openConversation(who: Person, name: string) {
  await contactItem(who.page, name).click();
  // Its composer, named after it: the one the next keystrokes go to.
  await who.page.getByRole('textbox', { name: `Message ${name}`, exact: true }).waitFor();
}

export const texts = (page: Page) => page.getByTestId('message-text').allTextContents();

/** Types `text` into the open conversation's composer and sends it, as a person does. */
export async function say(who: Person | Page, text: string) {
  const page = 'context' in who && 'name' in who ? who.page : (who as Page);
  await page.getByTestId('composer-input').fill(text);
  await page.getByTestId('composer-input').press('Enter');
}

/** Sends `texts` one after another into the person's first conversation through the app's api client; their ids. */
export function sendThroughApi(person: Person, texts: string[]): Promise<string[]> {
  return person.page.evaluate(async (texts) => {
    const { client } = document.querySelector('derbel-app') as unknown as {
      client: {
        contacts: { value: { contacts: Array<{ id: string }> } };
        api: { sendMessage(contactId: string, input: { id: string; text: string }): Promise<{ message: { id: string } }> };
      };
    };
    const contactId = client.contacts.value.contacts[0].id;
    const ids: string[] = [];
    for (const text of texts) ids.push((await client.api.sendMessage(contactId, { id: crypto.randomUUID(), text })).message.id);
    return ids;
  }, texts);
}
