import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCoturn, type Coturn } from '../support/coturn.js';
import { describeCall, videoFlows } from './support/call-page.js';
import { contactItem, E2eApp } from './support/e2e-app.js';

const TURN_SECRET = 'turn-secret-shared-by-app-and-coturn';

let coturn: Coturn;
const app = new E2eApp('tr');

beforeAll(async () => {
  coturn = await startCoturn(TURN_SECRET);
  await app.start({ TURN_URLS: coturn.url, TURN_SECRET, ICE_TRANSPORT_POLICY: 'relay' });
}, 120_000);
afterAll(async () => {
  await app.stop();
  await coturn?.stop();
});
afterEach(() => app.closeContexts());

/** Each connection's selected candidate pair as `getStats` reports it: the local and remote candidate types. */
const selectedPairs = (page: Page) =>
  page.evaluate(async () => {
    const app = document.querySelector('derbel-app') as unknown as {
      client: { call: { view: { value: { session?: { links: Map<string, { link: { pc: RTCPeerConnection } }> } } } } };
    };
    const pairs: Array<{ local: string; remote: string; policy: string | undefined }> = [];
    for (const [, { link }] of app.client.call.view.value.session?.links ?? []) {
      const reports = new Map<string, Record<string, unknown>>();
      (await link.pc.getStats()).forEach((report: Record<string, unknown>) => reports.set(String(report.id), report));
      for (const report of reports.values()) {
        if (report.type !== 'transport' || !report.selectedCandidatePairId) continue;
        const pair = reports.get(String(report.selectedCandidatePairId))!;
        pairs.push({
          local: String(reports.get(String(pair.localCandidateId))?.candidateType),
          remote: String(reports.get(String(pair.remoteCandidateId))?.candidateType),
          policy: link.pc.getConfiguration().iceTransportPolicy,
        });
      }
    }
    return pairs;
  });

describe('A call through a real coturn, TURN only', () => {
  it(
    'connects with the short-lived credentials of GET /api/ice-servers and carries video over relay candidates',
    { timeout: 120_000 },
    async () => {
      const anna = await app.signUp('anna');
      const boris = await app.signUp('boris');
      await app.addContact(anna, boris);
      await contactItem(anna.page, 'Boris').click();

      const ice = await anna.page.evaluate(() => fetch('/api/ice-servers', { credentials: 'include' }).then((r) => r.json()));
      expect(ice).toMatchObject({
        iceTransportPolicy: 'relay',
        iceServers: expect.arrayContaining([expect.objectContaining({ urls: [coturn.url] })]),
      });

      await anna.page.getByTestId('call-button').click();
      await anna.page.getByTestId('start-call').click();
      await boris.page.getByRole('alertdialog').getByRole('button', { name: 'Accept' }).click();
      try {
        await Promise.all([videoFlows(anna.page), videoFlows(boris.page)]);
      } catch (error) {
        throw new Error(`no video through coturn; coturn said:\n${coturn.log().slice(-4000)}`, { cause: error });
      }
      for (const page of [anna.page, boris.page]) {
        await expect
          .poll(() => selectedPairs(page), { message: await describeCall(page) })
          .toEqual([{ local: 'relay', remote: 'relay', policy: 'relay' }]);
      }
      expect(coturn.log()).toMatch(/user <\d+:[0-9a-f-]+>: incoming packet ALLOCATE processed, success/);
    },
  );
});
