import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { buildWebDist } from '../web/support/web-build.js';

const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));
/** What Chromium sends with every request. */
const BROWSER = 'gzip, deflate, br, zstd';

/** A response's bytes as they came over the wire (undici's `request` does not decode them), and decoded. */
async function raw(url: string, headers: Record<string, string> = {}) {
  const res = await request(url, { headers });
  const wire = Buffer.from(await res.body.arrayBuffer());
  const encoding = res.headers['content-encoding'] as string | undefined;
  const decoded = encoding === 'br' ? brotliDecompressSync(wire) : encoding === 'gzip' ? gunzipSync(wire) : wire;
  return { status: res.statusCode, headers: res.headers, encoding, wire, text: decoded.toString('utf8') };
}

/** Issue 21: what a page costs to send — history pages and the app's files travel compressed to a browser. */
describe('compressed responses', () => {
  let t: TestServer;
  let alice: ApiClient;
  let contactId: string;
  /** The last message's position: every page below waits until the read model holds it. */
  let last: number;
  const auth = () => ({ authorization: `Bearer ${alice.token}` });
  const page = (headers: Record<string, string> = {}, minPosition = last) =>
    raw(`${t.url}/api/contacts/${contactId}/messages?limit=100&minPosition=${minPosition}`, { ...auth(), ...headers });

  beforeAll(async () => {
    await buildWebDist();
    t = await startTestServer();
    const [a, b] = await Promise.all(['alice', 'bob'].map((n) => new ApiClient(t.url).signUp(n)));
    alice = a;
    contactId = await a.addContact(b);
    for (let i = 0; i < 40; i++) {
      const sent = await (i % 2 ? b : a).post(`/api/contacts/${contactId}/messages`, {
        text: `message ${i}: ${'lorem ipsum dolor '.repeat(3)}`,
      });
      expect(sent.status).toBe(201);
      last = sent.body.position;
    }
  });
  afterAll(() => t?.close());

  it('a history page is sent with brotli to a browser, gzip to a client that takes only gzip, as it is to one that names none', async () => {
    const plain = await page();
    expect(plain.status).toBe(200);
    expect(plain.encoding).toBeUndefined();
    expect(JSON.parse(plain.text).messages).toHaveLength(40);

    const br = await page({ 'accept-encoding': BROWSER });
    expect(br.encoding).toBe('br');
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(br.text).toBe(plain.text);
    expect(br.wire.length).toBeLessThan(plain.wire.length / 4);

    const gzip = await page({ 'accept-encoding': 'gzip' });
    expect(gzip.encoding).toBe('gzip');
    expect(gzip.text).toBe(plain.text);

    // q=0 refuses a coding (RFC 9110): that client gets gzip.
    expect((await page({ 'accept-encoding': 'br;q=0, gzip' })).encoding).toBe('gzip');
    expect((await page({ 'accept-encoding': 'identity' })).encoding).toBeUndefined();
  });

  it('a compressed page is the conversation as it is now (a new message is in the next one), and revalidates to 304', async () => {
    const before = await page({ 'accept-encoding': BROWSER });
    const again = await page({ 'accept-encoding': BROWSER });
    expect(again.wire.equals(before.wire)).toBe(true);
    const unchanged = await page({ 'accept-encoding': BROWSER, 'if-none-match': String(before.headers.etag) });
    expect(unchanged.status).toBe(304);
    expect(unchanged.wire.length).toBe(0);

    const sent = await alice.post(`/api/contacts/${contactId}/messages`, { text: 'the newest one' });
    expect(sent.status).toBe(201);
    const after = await page({ 'accept-encoding': BROWSER }, sent.body.position);
    const texts = JSON.parse(after.text).messages.map((m: { text: string }) => m.text);
    expect(texts).toContain('the newest one');
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(after.encoding).toBe('br');
  });

  it('other JSON over a kilobyte is compressed; a small answer is not', async () => {
    const feed = await raw(`${t.url}/api/events?after=0&minPosition=${last}`, { ...auth(), 'accept-encoding': BROWSER });
    expect(feed.status).toBe(200);
    expect(feed.encoding).toBe('br');
    expect(JSON.parse(feed.text).events.length).toBeGreaterThan(40);

    const me = await raw(`${t.url}/api/me`, { ...auth(), 'accept-encoding': BROWSER });
    expect(me.status).toBe(200);
    expect(me.encoding).toBeUndefined();
  });

  it("the app's files: compressed ahead of time, and those whose name changes with their content kept for a year", async () => {
    const assets = (await readdir(join(WEB_DIST, 'assets'))).filter((name) => /^index-[\w-]+\.js$/.test(name));
    expect(assets.length).toBeGreaterThan(0);
    const script = assets[0];
    const onDisk = await readFile(join(WEB_DIST, 'assets', script), 'utf8');

    const br = await raw(`${t.url}/assets/${script}`, { 'accept-encoding': BROWSER });
    expect(br.status).toBe(200);
    expect(br.encoding).toBe('br');
    expect(br.text).toBe(onDisk);
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers.vary).toMatch(/accept-encoding/i);

    const plain = await raw(`${t.url}/assets/${script}`);
    expect(plain.encoding).toBeUndefined();
    expect(plain.text).toBe(onDisk);

    // Names that stay the same across deploys are asked again every time (and answered 304 while unchanged).
    for (const path of ['/', '/contacts/some-conversation', '/embed.js']) {
      const res = await raw(t.url + path, { 'accept-encoding': BROWSER });
      expect(res.status, path).toBe(200);
      expect(res.headers['cache-control'], path).toBe('no-cache');
    }
    expect((await raw(`${t.url}/embed.js`, { 'accept-encoding': BROWSER })).encoding).toBe('br');
  });

  it('the emoji data is compressed once, as the build compresses the app (the best brotli, gzip level 9), and asked again cheaply', async () => {
    const file = await readFile(createRequire(import.meta.url).resolve('emoji-picker-element-data/en/emojibase/data.json'));
    const br = await raw(`${t.url}/emoji/data.json`, { 'accept-encoding': BROWSER });
    expect(br.status).toBe(200);
    expect(br.encoding).toBe('br');
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(br.headers['content-type']).toMatch(/^application\/json/);
    expect(br.text).toBe(file.toString('utf8'));
    // Quality 11 (seconds of CPU were it done per request): the bytes kept from the first compression.
    expect(br.wire.length).toBe(brotliCompressSync(file, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length);
    const again = await raw(`${t.url}/emoji/data.json`, { 'accept-encoding': BROWSER });
    expect(again.wire.equals(br.wire)).toBe(true);

    const gzip = await raw(`${t.url}/emoji/data.json`, { 'accept-encoding': 'gzip' });
    expect(gzip.encoding).toBe('gzip');
    expect(gzip.wire.length).toBe(gzipSync(file, { level: 9 }).length);
    const plain = await raw(`${t.url}/emoji/data.json`);
    expect(plain.encoding).toBeUndefined();
    expect(plain.wire.equals(file)).toBe(true);

    const tag = br.headers.etag as string;
    expect(tag).toBeTruthy();
    const unchanged = await raw(`${t.url}/emoji/data.json`, { 'accept-encoding': BROWSER, 'if-none-match': tag });
    expect(unchanged.status).toBe(304);
  });
});
