import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** Issue 13, finding 6: what a caller may put in the log through a header, and what production serves. */
describe('edge hygiene', () => {
  describe('x-request-id', () => {
    let t: TestServer;
    let alice: ApiClient;
    let contactId: string;

    beforeAll(async () => {
      t = await startTestServer();
      const [a, b] = await Promise.all(['alice', 'bob'].map((n) => new ApiClient(t.url).signUp(n)));
      alice = a;
      contactId = await a.addContact(b);
    });
    afterAll(() => t.close());

    const correlationOfSend = async (requestId: string) => {
      const sent = await alice.request('POST', `/api/contacts/${contactId}/messages`, { text: 'hi' }, { 'x-request-id': requestId });
      expect(sent.status).toBe(201);
      const events = await t.server.ctx.store.readStream(`contact-${contactId}`);
      return { echoed: sent.headers.get('x-request-id'), stored: events[events.length - 1].metadata.correlationId };
    };

    it('keeps a short safe token as the request id and the events’ correlation id', async () => {
      expect(await correlationOfSend('req-42.abc_DEF')).toEqual({ echoed: 'req-42.abc_DEF', stored: 'req-42.abc_DEF' });
      const longest = 'a'.repeat(64);
      expect(await correlationOfSend(longest)).toEqual({ echoed: longest, stored: longest });
    });

    it.each([
      ['too long', 'a'.repeat(65)],
      ['markup', '<script>alert(1)</script>'],
      ['spaces', 'drop table events'],
      ['a path', '../../etc/passwd'],
      ['non-ASCII', 'ïd'],
    ])('replaces one that is %s with a generated uuid', async (_, requestId) => {
      const { echoed, stored } = await correlationOfSend(requestId);
      expect(stored).not.toBe(requestId);
      expect(stored).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(echoed).toBe(stored);
    });
  });

  describe('source maps', () => {
    // A map file of our own in the served folder, so the test does not depend on how the app was built.
    const map = `derbel-test-${process.pid}.js.map`;
    beforeAll(async () => {
      await mkdir(`${WEB_DIST}assets`, { recursive: true });
      await writeFile(`${WEB_DIST}${map}`, '{"version":3}');
      await writeFile(`${WEB_DIST}assets/${map}`, '{"version":3}');
    });
    afterAll(async () => {
      await rm(`${WEB_DIST}${map}`, { force: true });
      await rm(`${WEB_DIST}assets/${map}`, { force: true });
    });

    it.each([
      ['production', 404],
      ['development', 200],
    ])('with NODE_ENV=%s: %i', async (nodeEnv, status) => {
      const t = await startTestServer({ env: { NODE_ENV: nodeEnv } });
      try {
        for (const path of [`/${map}`, `/assets/${map}`]) {
          const res = await fetch(t.url + path);
          expect(res.status, path).toBe(status);
          if (status === 404) expect(await res.json()).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
        }
      } finally {
        await t.close();
      }
    });
  });

  describe('files that are not there', () => {
    // The app page must exist for its fallback to be tried; a placeholder when the web app is not built here
    // (removed after, unless a build replaced it meanwhile).
    const placeholder = `<!-- derbel-test-${process.pid} -->`;
    let wrotePlaceholder = false;
    let t: TestServer;
    beforeAll(async () => {
      await mkdir(`${WEB_DIST}assets`, { recursive: true });
      if (
        !(await access(`${WEB_DIST}index.html`).then(
          () => true,
          () => false,
        ))
      ) {
        await writeFile(`${WEB_DIST}index.html`, placeholder, { flag: 'wx' }).then(
          () => (wrotePlaceholder = true),
          () => {},
        );
      }
      t = await startTestServer();
    });
    afterAll(async () => {
      await t?.close();
      if (wrotePlaceholder && (await readFile(`${WEB_DIST}index.html`, 'utf8').catch(() => '')) === placeholder) {
        await rm(`${WEB_DIST}index.html`, { force: true });
      }
    });

    it.each([`/assets/index-derbel-missing-${process.pid}.js`, `/assets/missing-${process.pid}.css`, `/missing-${process.pid}.png`])(
      '%s is a 404, not the app page (a tab holding a chunk name from before a deploy must not get HTML)',
      async (path) => {
        const res = await fetch(t.url + path);
        expect(res.status).toBe(404);
        expect(await res.json()).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
      },
    );

    it('an address inside the app is still the app page', async () => {
      const res = await fetch(`${t.url}/contacts/some-conversation`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    });
  });
});
