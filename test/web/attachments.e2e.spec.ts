import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { png, temporaryDataDir } from '../support/attachments.js';
import { contactItem, E2eApp } from './support/e2e-app.js';

let data: Awaited<ReturnType<typeof temporaryDataDir>>;
let app: E2eApp;

beforeAll(async () => {
  data = await temporaryDataDir();
  app = new E2eApp('at', { DATA_DIR: data.dir });
  await app.start();
}, 120_000);
afterAll(async () => {
  await app?.stop();
  await data?.remove();
});
afterEach(() => app.closeContexts());

describe('Files and images between two people', () => {
  it(
    'pastes an image into the composer; the other person sees its thumbnail and opens it in the viewer (Esc closes)',
    { timeout: 90_000 },
    async () => {
      const anna = await app.signUp('anna');
      const bob = await app.signUp('bob');
      await app.addContact(anna, bob);
      await contactItem(anna.page, 'Bob').click();
      await contactItem(bob.page, 'Anna').click();

      const image = await png(600, 400);
      await anna.page.getByTestId('composer-input').evaluate(
        (textarea, bytes) => {
          const clipboard = new DataTransfer();
          clipboard.items.add(new File([new Uint8Array(bytes)], 'image.png', { type: 'image/png' }));
          textarea.dispatchEvent(
            new ClipboardEvent('paste', { clipboardData: clipboard, bubbles: true, composed: true, cancelable: true }),
          );
        },
        [...image],
      );
      await anna.page.locator('[data-testid="upload"][data-state="done"]').waitFor();
      await anna.page.getByTestId('send').click();

      const thumbnail = bob.page.getByTestId('attachment-image').locator('img');
      await thumbnail.waitFor();
      // The thumbnail really loaded (with the session cookie): the server's 320 px WebP.
      await expect.poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(320);
      expect(await thumbnail.getAttribute('alt')).toBe('image.png');

      await bob.page.getByTestId('attachment-image').click();
      const viewed = bob.page.getByTestId('viewer-image');
      await expect.poll(() => viewed.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(600);
      await bob.page.keyboard.press('Escape');
      await expect.poll(() => bob.page.getByTestId('image-viewer').evaluate((dialog: HTMLDialogElement) => dialog.open)).toBe(false);
      expect([...anna.page.errors, ...bob.page.errors]).toEqual([]);
    },
  );

  it('uploads a file with a progress bar, and the other person downloads it under its name', { timeout: 90_000 }, async () => {
    const anna = await app.signUp('anna');
    const bob = await app.signUp('bob');
    await app.addContact(anna, bob);
    await contactItem(anna.page, 'Bob').click();
    await contactItem(bob.page, 'Anna').click();

    const bytes = randomBytes(3 * 1024 * 1024);
    // A slow uplink (about 1 MB/s), so the bar is seen part-way.
    const cdp = await anna.context.newCDPSession(anna.page);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 1024 * 1024,
    });
    await anna.page.getByTestId('file-input').setInputFiles({ name: 'report 2026.zip', mimeType: 'application/zip', buffer: bytes });
    const upload = anna.page.getByTestId('upload');
    await expect
      .poll(() =>
        upload
          .getByTestId('upload-progress')
          .evaluate((bar: HTMLProgressElement) => bar.value > 0 && bar.value < 1)
          .catch(() => false),
      )
      .toBe(true);
    expect(await anna.page.getByTestId('send').isDisabled()).toBe(true);
    await anna.page.locator('[data-testid="upload"][data-state="done"]').waitFor();
    expect(await upload.getByTestId('upload-progress').evaluate((bar: HTMLProgressElement) => bar.value)).toBe(1);
    expect(await upload.textContent()).toContain('3 MB');
    await anna.page.getByTestId('composer-input').fill('the report');
    await anna.page.getByTestId('composer-input').press('Enter');

    const link = bob.page.getByTestId('attachment-file');
    await link.waitFor();
    expect(await link.textContent()).toMatch(/report 2026\.zip\s*3 MB/);
    const [download] = await Promise.all([bob.page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('report 2026.zip');
    expect((await readFile((await download.path())!)).equals(bytes)).toBe(true);
    expect([...anna.page.errors, ...bob.page.errors]).toEqual([]);
  });
});
