import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openPage } from './support/browser.js';
import { startHarness, type Harness } from './support/harness.js';

let harness: Harness;
let context: BrowserContext;
let page: Page & { errors: string[] };

beforeAll(async () => {
  harness = await startHarness();
}, 60_000);
afterAll(() => harness?.close());
beforeEach(async () => {
  context = await harness.browser.newContext();
  page = await openPage(context, `${harness.url}/harness.html`);
  await page.waitForFunction(() => customElements.get('derbel-message') && customElements.get('derbel-incoming-call'));
});
afterEach(async () => {
  expect(page.errors).toEqual([]);
  await context.close();
});

/** Puts an element on the harness page with the given properties; events it fires are recorded. */
async function mount(tag: string, properties: Record<string, unknown> = {}, events: string[] = []) {
  await page.evaluate(
    ({ tag, properties, events }) => {
      const w = window as unknown as { fired: Array<{ type: string; detail: unknown }> };
      w.fired = [];
      const element = document.createElement(tag);
      Object.assign(element, properties);
      for (const type of events)
        element.addEventListener(type, (event) => w.fired.push({ type, detail: (event as CustomEvent).detail ?? null }));
      document.getElementById('stage')!.replaceChildren(element);
    },
    { tag, properties, events },
  );
  return page.locator(tag);
}

const fired = () => page.evaluate(() => (window as unknown as { fired: unknown[] }).fired);

const message = (overrides = {}) => ({
  id: 'm1',
  contactId: 'c1',
  senderId: 'u1',
  text: 'Hello <b>there</b>, see https://derbel.test/x',
  sentAt: '2024-05-01T10:15:00.000Z',
  editedAt: null,
  deleted: false,
  status: 'sent',
  ...overrides,
});

/** Lines of the accessibility tree naming a control without a name. */
async function unnamedControls(root: ReturnType<Page['locator']>) {
  const tree = await root.ariaSnapshot();
  return tree
    .split('\n')
    .filter(
      (line) =>
        /- (button|link|textbox|searchbox|combobox|checkbox)\s*(\[[^\]]*\])?\s*$/.test(line.trim()) ||
        /- (button|link|textbox|searchbox|combobox)\s*:/.test(line.trim()),
    );
}

describe('<derbel-message>', () => {
  it('renders text as text with clickable links, and offers edit and delete on own messages', async () => {
    const element = await mount('derbel-message', { message: message(), own: true }, ['derbel-message-edit', 'derbel-message-delete']);
    await expect.poll(() => element.getByTestId('message-text').textContent()).toBe('Hello <b>there</b>, see https://derbel.test/x');
    expect(await element.locator('b').count()).toBe(0);
    expect(await element.getByRole('link', { name: 'https://derbel.test/x' }).getAttribute('target')).toBe('_blank');

    // Keyboard: tab to Edit, edit, Enter saves.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.getAttribute('aria-label'))).toBe('Edit message');
    await page.keyboard.press('Enter');
    const editor = element.getByRole('textbox', { name: 'Edit message' });
    await editor.fill('Hello again');
    await editor.press('Enter');
    await element.getByRole('button', { name: 'Delete message' }).focus();
    await page.keyboard.press('Enter');
    await element.getByRole('group', { name: 'Delete this message for everyone?' }).getByRole('button', { name: 'Delete' }).click();
    expect(await fired()).toEqual([
      { type: 'derbel-message-edit', detail: { messageId: 'm1', text: 'Hello again' } },
      { type: 'derbel-message-delete', detail: { messageId: 'm1' } },
    ]);
    expect(await unnamedControls(element)).toEqual([]);
  });

  it('Escape cancels an edit; the peer’s messages cannot be edited', async () => {
    let element = await mount('derbel-message', { message: message(), own: true }, ['derbel-message-edit']);
    await element.getByRole('button', { name: 'Edit message' }).focus();
    await page.keyboard.press('Enter');
    await element.getByRole('textbox', { name: 'Edit message' }).press('Escape');
    expect(await element.getByRole('textbox').count()).toBe(0);
    expect(await fired()).toEqual([]);
    element = await mount('derbel-message', { message: message(), own: false });
    expect(await element.getByRole('button').count()).toBe(0);
  });

  it('shows pending, failed (with retry and discard), edited, deleted and seen states', async () => {
    let element = await mount('derbel-message', { message: message({ status: 'pending' }), own: true });
    await element.getByTestId('pending').waitFor();
    element = await mount('derbel-message', { message: message({ status: 'failed', error: 'Too long' }), own: true }, [
      'derbel-message-retry',
      'derbel-message-discard',
    ]);
    await element.getByRole('alert').getByText('Not sent: Too long').waitFor();
    await element.getByRole('button', { name: 'Retry' }).click();
    await element.getByRole('button', { name: 'Discard' }).click();
    expect(await fired()).toEqual([
      { type: 'derbel-message-retry', detail: { messageId: 'm1' } },
      { type: 'derbel-message-discard', detail: { messageId: 'm1' } },
    ]);
    element = await mount('derbel-message', { message: message({ editedAt: '2024-05-01T10:20:00.000Z' }), own: true, seen: true });
    await element.getByTestId('edited').waitFor();
    await element.getByTestId('seen').waitFor();
    element = await mount('derbel-message', { message: message({ deleted: true, text: '' }), own: true });
    await expect.poll(() => element.getByTestId('message-text').textContent()).toBe('This message was deleted.');
    expect(await element.getByRole('button').count()).toBe(0);
  });

  it('is themeable through custom properties and ::part', async () => {
    await page.addStyleTag({
      content: 'derbel-message { --derbel-own-bubble: rgb(1, 2, 3); } derbel-message::part(text) { color: rgb(200, 0, 0); }',
    });
    const element = await mount('derbel-message', { message: message(), own: true });
    const styles = await element.getByTestId('message').evaluate((bubble) => {
      const text = bubble.querySelector('.text')!;
      return [getComputedStyle(bubble).backgroundColor, getComputedStyle(text).color];
    });
    expect(styles).toEqual(['rgb(1, 2, 3)', 'rgb(200, 0, 0)']);
  });
});

describe('<derbel-composer>', () => {
  it('sends on Enter, keeps Shift+Enter as a new line, and never sends blank text', async () => {
    const element = await mount('derbel-composer', { label: 'Message Sam' }, ['derbel-send', 'derbel-typing']);
    const input = element.getByRole('textbox', { name: 'Message Sam' });
    expect(await element.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
    await input.press('Enter');
    await input.pressSequentially('hi');
    await input.press('Shift+Enter');
    await input.pressSequentially('there');
    await input.press('Enter');
    const events = (await fired()) as Array<{ type: string; detail: unknown }>;
    expect(events.filter((e) => e.type === 'derbel-send')).toEqual([{ type: 'derbel-send', detail: { text: 'hi\nthere' } }]);
    expect(events.some((e) => e.type === 'derbel-typing')).toBe(true);
    expect(await input.inputValue()).toBe('');
  });
});

describe('<derbel-incoming-call>', () => {
  it('is an alert dialog named after the caller, leaves focus alone, and fires accept or decline from the keyboard', async () => {
    const element = await mount('derbel-incoming-call', { caller: 'Tess', meetingId: 'g1' }, ['derbel-call-accept', 'derbel-call-decline']);
    const dialog = element.getByRole('alertdialog', { name: 'Tess' });
    await dialog.waitFor();
    await element.evaluate((host) => (host as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete);
    expect(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement ?? null)).toBeNull();
    await element.getByRole('button', { name: 'Accept' }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    expect(await fired()).toEqual([
      { type: 'derbel-call-accept', detail: { meetingId: 'g1' } },
      { type: 'derbel-call-decline', detail: { meetingId: 'g1' } },
    ]);
    expect(await unnamedControls(element)).toEqual([]);
  });
});

describe('<derbel-video-tile>, <derbel-meeting-controls>, <derbel-device-picker>', () => {
  it('labels a tile with the name, microphone, camera and connection state', async () => {
    const element = await mount('derbel-video-tile', { name: 'Uma', audio: false, video: false, connection: 'reconnecting' });
    const figure = element.getByRole('figure');
    await expect.poll(() => figure.getAttribute('aria-label')).toBe('Uma, microphone off, camera off, Reconnecting…');
    await element.getByTestId('muted-marker').waitFor();
    expect(await element.locator('.initial').textContent()).toBe('U');
  });

  it('plays a stream it is given', async () => {
    await page.evaluate(async () => {
      const stream = await navigator.mediaDevices.getUserMedia({ video: true });
      const tile = document.createElement('derbel-video-tile') as HTMLElement & { stream: MediaStream; name: string };
      tile.stream = stream;
      tile.name = 'Fake camera';
      document.getElementById('stage')!.replaceChildren(tile);
    });
    await expect
      .poll(() =>
        page
          .locator('derbel-video-tile')
          .evaluate((tile) => (tile as unknown as { videoElement: HTMLVideoElement }).videoElement.videoWidth),
      )
      .toBeGreaterThan(0);
  });

  it('has pressed states and fires one event per control', async () => {
    const events = [
      'derbel-toggle-audio',
      'derbel-toggle-video',
      'derbel-toggle-screen',
      'derbel-toggle-devices',
      'derbel-leave',
      'derbel-end',
    ];
    const element = await mount(
      'derbel-meeting-controls',
      { media: { audio: false, video: true, sharing: false, devices: [], audioDeviceId: null, videoDeviceId: null, error: null } },
      events,
    );
    const group = element.getByRole('group', { name: 'Call controls' });
    expect(await group.getByRole('button', { name: 'Unmute' }).getAttribute('aria-pressed')).toBe('true');
    expect(await group.getByRole('button', { name: 'Camera off' }).getAttribute('aria-pressed')).toBe('false');
    for (const name of ['Unmute', 'Camera off', 'Share screen', 'Devices', 'Leave', 'End for all'])
      await group.getByRole('button', { name }).click();
    expect(((await fired()) as Array<{ type: string }>).map((e) => e.type)).toEqual(events);
  });

  it('lists cameras and microphones under labels and says which was chosen', async () => {
    const devices = [
      { kind: 'videoinput', deviceId: 'cam1', label: 'Front camera' },
      { kind: 'videoinput', deviceId: 'cam2', label: 'Back camera' },
      { kind: 'audioinput', deviceId: 'mic1', label: 'Headset' },
    ];
    const element = await mount('derbel-device-picker', { devices, videoDeviceId: 'cam1' }, ['derbel-device-change']);
    await element.getByRole('combobox', { name: 'Camera' }).selectOption('cam2');
    expect(await fired()).toEqual([{ type: 'derbel-device-change', detail: { kind: 'videoinput', deviceId: 'cam2' } }]);
    expect(await element.getByRole('combobox', { name: 'Microphone' }).inputValue()).toBe('mic1');
  });
});

describe('<derbel-connection-banner>', () => {
  /** A banner on a client of its own (as `window.client`), connected. */
  async function mountBanner() {
    await page.evaluate(() => {
      const { DerbelClient } = (window as unknown as { Derbel: { DerbelClient: new (o: object) => unknown } }).Derbel;
      const client = new DerbelClient({ server: location.origin }) as { connection: { set(v: string): void } };
      const banner = document.createElement('derbel-connection-banner') as HTMLElement & { client: unknown };
      banner.client = client;
      (window as unknown as { client: unknown }).client = client;
      document.getElementById('stage')!.replaceChildren(banner);
      client.connection.set('online');
    });
    return page.locator('derbel-connection-banner');
  }

  it('is silent while connected and says so while reconnecting', async () => {
    const banner = await mountBanner();
    await page.waitForTimeout(400);
    expect(await banner.getByTestId('connection-banner').count()).toBe(0);
    await page.evaluate(() =>
      (window as unknown as { client: { connection: { set(v: string): void } } }).client.connection.set('reconnecting'),
    );
    await expect.poll(() => banner.getByRole('status').textContent()).toContain('Connection lost. Reconnecting…');
    await page.evaluate(() => (window as unknown as { client: { connection: { set(v: string): void } } }).client.connection.set('online'));
    await expect.poll(() => banner.getByTestId('connection-banner').count()).toBe(0);
  });

  it('holds its word for a few seconds when the server is moving the connection (a deploy), and says it if that takes long', async () => {
    type Client = { connection: { set(v: string): void }; connectionMoving: { set(v: boolean): void } };
    const banner = await mountBanner();
    await page.evaluate(() => {
      const { client } = window as unknown as { client: Client };
      client.connectionMoving.set(true);
      client.connection.set('reconnecting');
    });
    // A lost connection is said after 0.3 s; a moved one is not, for the second or two it takes…
    await page.waitForTimeout(1_500);
    expect(await banner.getByTestId('connection-banner').count()).toBe(0);
    // …and is if it takes longer.
    await expect.poll(() => banner.getByRole('status').textContent(), { timeout: 5_000 }).toContain('Connection lost. Reconnecting…');
  });
});
