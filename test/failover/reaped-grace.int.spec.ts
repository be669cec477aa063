import { describe, expect, it } from 'vitest';
import { connected, type ApiClient } from '../support/api-client.js';
import { eventually, sleep } from '../support/eventually.js';
import { deadNodeScenario, WINDOW_MS } from './dead-node-scenario.js';

/**
 * A SIGKILLed node's clients were told to spread their return over a window that grows with its socket count
 * (reconnect-spread.ts). Its users whose last socket it was are announced offline only once that window is
 * over (or the usual grace, if longer): one who comes back within it is announced to nobody, instead of
 * offline then online again (tens of thousands of pushes in a storm).
 */
describe('failover: a dead node’s users are given its reconnect window before they are announced offline', () => {
  const scenario = deadNodeScenario('grace');

  it('announces nothing for a user back within the window, and the one who is not back offline after it', async () => {
    const { ann, bob, cid, annSocket, changesOf } = await scenario.meet();
    const peerOnline = async (user: ApiClient) =>
      (await ann.get('/api/contacts')).body.contacts.find((c: any) => c.peer.id === user.user!.id)?.peerOnline;
    expect([await peerOnline(bob), await peerOnline(cid)]).toEqual([true, true]);

    const reapedAt = await scenario.killAndAwaitReap(cid);
    // Bob comes back a second later: past the usual grace, well within the window.
    await sleep(1_000);
    const bobBack = await connected(bob.connect({ url: scenario.survivor.url }));

    await eventually(() => changesOf(cid).length > 0, { timeoutMs: WINDOW_MS + 5_000, message: 'Cid announced offline' });
    const cidOfflineAfterMs = performance.now() - reapedAt;
    expect(changesOf(cid)).toEqual([{ userId: cid.user!.id, online: false }]);
    expect(cidOfflineAfterMs).toBeGreaterThanOrEqual(WINDOW_MS - 100);
    // Long enough for anything about Bob (his return's settle, a mark left from the reap) to have been pushed.
    await sleep(1_500);
    expect(changesOf(bob)).toEqual([]);
    expect(await peerOnline(bob)).toBe(true);
    expect(await peerOnline(cid)).toBe(false);

    bobBack.disconnect();
    annSocket.disconnect();
  }, 90_000);
});
