import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contactItem, E2eApp, sendThroughApi, texts } from './support/e2e-app.js';

const app = new E2eApp('nb');

beforeAll(() => app.start(), 120_000);
afterAll(() => app.stop());
afterEach(() => app.closeContexts());

/** The page's live connection, as its client sees it. */
const connection = (page: Page) =>
  page.evaluate(
    () => (document.querySelector('derbel-app') as unknown as { client: { connection: { value: string } } }).client.connection.value,
  );
const userId = (page: Page) =>
  page.evaluate(() => (document.querySelector('derbel-app') as unknown as { client: { me: { id: string } } }).client.me.id);

describe('When the network comes back', () => {
  it('the app reconnects at once, not after the minute its node asked it to spread a return over', { timeout: 90_000 }, async () => {
    const anna = await app.signUp('anna');
    const boris = await app.signUp('boris');
    await app.addContact(anna, boris);
    // Her page's WebSocket frames are watched from its next load on.
    const hints: string[] = [];
    anna.page.on('websocket', (ws) =>
      ws.on('framereceived', ({ payload }) => String(payload).includes('reconnect:spread') && hints.push(String(payload))),
    );
    await anna.page.reload({ waitUntil: 'domcontentloaded' });
    await contactItem(anna.page, 'Boris').click();
    await expect.poll(() => connection(anna.page)).toBe('online');
    const annaId = await userId(anna.page);

    // Anna's node asks its clients to spread a return over a minute (as one with 30,000 sockets would), and every
    // draw her page makes is its largest: without the network's return, her first attempt is ~60 s away.
    await anna.page.evaluate(() => (Math.random = () => 0.999));
    for (const socket of app.server.server.gateway.io.of('/').sockets.values())
      if (socket.data.userId === annaId) socket.emit('reconnect:spread', { ms: 60_000 });
    await expect.poll(() => hints.some((hint) => hint.includes('60000'))).toBe(true);

    // She walks into a tunnel: her network goes, and her connection with it (Chromium's offline drops the WebSocket).
    await anna.context.setOffline(true);
    await expect.poll(() => connection(anna.page), { timeout: 5_000 }).toBe('reconnecting');
    await anna.page.getByTestId('connection-banner').filter({ hasText: 'Reconnecting' }).waitFor();

    // Out of the tunnel: she is back well before the minute is out, and Boris's next message reaches her live.
    await anna.context.setOffline(false);
    await expect.poll(() => connection(anna.page), { timeout: 20_000 }).toBe('online');
    await expect.poll(() => anna.page.getByTestId('connection-banner').count()).toBe(0);
    await sendThroughApi(boris, ['Welcome back']);
    await expect.poll(() => texts(anna.page), { timeout: 10_000 }).toContain('Welcome back');
    expect([...anna.page.errors, ...boris.page.errors]).toEqual([]);
  });

  it(
    'what came while she was away is there when she is back, sent with the reconnect: no request of her own',
    { timeout: 90_000 },
    async () => {
      const anna = await app.signUp('anna');
      const boris = await app.signUp('boris');
      await app.addContact(anna, boris);
      const missedFrames: string[] = [];
      anna.page.on('websocket', (ws) =>
        ws.on('framereceived', ({ payload }) => String(payload).includes('feed:missed') && missedFrames.push(String(payload))),
      );
      await anna.page.reload({ waitUntil: 'domcontentloaded' });
      await contactItem(anna.page, 'Boris').click();
      await expect.poll(() => connection(anna.page)).toBe('online');
      await sendThroughApi(boris, ['Before the tunnel']);
      await expect.poll(() => texts(anna.page), { timeout: 10_000 }).toContain('Before the tunnel');

      await anna.context.setOffline(true);
      await expect.poll(() => connection(anna.page), { timeout: 5_000 }).toBe('reconnecting');
      await sendThroughApi(boris, ['While you were away', 'And again']);
      const catchUps: string[] = [];
      anna.page.on('request', (request) => request.url().includes('/api/events') && catchUps.push(request.url()));

      await anna.context.setOffline(false);
      await expect.poll(() => texts(anna.page), { timeout: 20_000 }).toEqual(['Before the tunnel', 'While you were away', 'And again']);
      expect(missedFrames).toHaveLength(1);
      expect(missedFrames[0]).toContain('While you were away');
      expect(catchUps).toEqual([]);
      expect([...anna.page.errors, ...boris.page.errors]).toEqual([]);
    },
  );

  it(
    'a deploy moving her connection to another node shows no banner: she is back within a second or two',
    { timeout: 90_000 },
    async () => {
      const anna = await app.signUp('anna');
      const boris = await app.signUp('boris');
      await app.addContact(anna, boris);
      await contactItem(anna.page, 'Boris').click();
      await expect.poll(() => connection(anna.page)).toBe('online');
      const annaId = await userId(anna.page);
      const states: string[] = [];
      await anna.page.exposeFunction('connectionState', (state: string) => states.push(state));
      await anna.page.evaluate(() =>
        (
          document.querySelector('derbel-app') as unknown as {
            client: { connection: { subscribe(f: (s: string) => void): void } };
          }
        ).client.connection.subscribe((state) => (window as unknown as { connectionState(s: string): void }).connectionState(state)),
      );
      let bannerSeen = false;
      const watching = setInterval(
        () =>
          void anna.page
            .getByTestId('connection-banner')
            .count()
            .then(
              (n) => (bannerSeen ||= n > 0),
              () => undefined,
            ),
        50,
      );

      // Her page draws the longest waits it can: she comes back just under a second after the move.
      await anna.page.evaluate(() => (Math.random = () => 0.999));
      // What a draining node does to each socket it moves (lifecycle/drain.ts); this one comes back to the same server.
      for (const socket of app.server.server.gateway.io.of('/').sockets.values())
        if (socket.data.userId === annaId) {
          socket.emit('server:draining', { reconnect: true, spreadMs: 0 });
          socket.conn.close();
        }
      await expect.poll(() => states.includes('reconnecting')).toBe(true);
      await expect.poll(() => connection(anna.page), { timeout: 5_000 }).toBe('online');
      await new Promise((resolve) => setTimeout(resolve, 500));
      clearInterval(watching);
      expect(bannerSeen).toBe(false);
      await sendThroughApi(boris, ['Still here']);
      await expect.poll(() => texts(anna.page), { timeout: 10_000 }).toContain('Still here');
      expect([...anna.page.errors, ...boris.page.errors]).toEqual([]);
    },
  );

  it(
    'a contact who left while she was away shows offline when she is back, not online until his next change',
    { timeout: 90_000 },
    async () => {
      const anna = await app.signUp('anna');
      const boris = await app.signUp('boris');
      const carla = await app.signUp('carla');
      await app.addContact(anna, boris);
      await app.addContact(carla, boris);
      const borisShown = (page: Page) => contactItem(page, 'Boris').getByTestId('presence').getAttribute('data-online');
      await expect.poll(() => borisShown(anna.page), { timeout: 10_000 }).toBe('true');

      await anna.context.setOffline(true);
      await expect.poll(() => connection(anna.page), { timeout: 5_000 }).toBe('reconnecting');
      // Boris closes his tab while she is away; Carla, connected all along, is told once his grace is out.
      await boris.context.close();
      await expect.poll(() => borisShown(carla.page), { timeout: 15_000 }).toBe('false');

      await anna.context.setOffline(false);
      await expect.poll(() => connection(anna.page), { timeout: 20_000 }).toBe('online');
      await expect.poll(() => borisShown(anna.page), { timeout: 5_000 }).toBe('false');
      expect([...anna.page.errors, ...carla.page.errors]).toEqual([]);
    },
  );
});
