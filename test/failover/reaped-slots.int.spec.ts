import { io } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { connected } from '../support/api-client.js';
import { eventually, sleep } from '../support/eventually.js';
import { deadNodeScenario, WINDOW_MS } from './dead-node-scenario.js';

/** The survivor takes two handshakes a second: a dozen at once leave it with slots promised ~5.5 s ahead. */
const SURVIVOR_HANDSHAKES_PER_SECOND = 2;
const CROWD = 12;

/**
 * A dead node's users are announced offline once the window their node asked them to spread their return over
 * is out (reaped-grace.int.spec.ts). A survivor busier than that window assumed refuses handshakes with a later
 * slot; while slots are still promised, a user not back yet may hold one, so the offline announcement waits for
 * them (plus the grace) instead of going out at the window's end and being followed by an online one.
 */
describe('failover: a dead node’s users are held while the survivor still has slots promised', () => {
  const scenario = deadNodeScenario('slots', { survivorEnv: { SOCKET_HANDSHAKES_PER_SECOND: String(SURVIVOR_HANDSHAKES_PER_SECOND) } });

  it('announces nothing for a user back after the window but before the last slot, and offline one who never comes', async () => {
    const { bob, cid, eve, annSocket, changesOf } = await scenario.meet();

    const reapedAt = await scenario.killAndAwaitReap(cid);
    // A crowd reaches the survivor at once: it takes one and promises the others slots, one every half second.
    const slots = await Promise.all(Array.from({ length: CROWD }, () => handshakeOutcome(scenario.survivor.url, eve.token!)));
    const lastSlotAt = Math.max(...slots.map((s) => s.retryAfterMs ?? 0)) + (performance.now() - reapedAt);
    expect(lastSlotAt).toBeGreaterThan(WINDOW_MS + 1_500);

    // Bob comes back a second after the window, well before the last slot.
    await sleep(WINDOW_MS + 1_000 - (performance.now() - reapedAt));
    const bobBack = await connected(bob.connect({ url: scenario.survivor.url }));

    await eventually(() => changesOf(cid).length > 0, { timeoutMs: lastSlotAt + 5_000, message: 'Cid announced offline' });
    expect(changesOf(cid)).toEqual([{ userId: cid.user!.id, online: false }]);
    expect(performance.now() - reapedAt).toBeGreaterThanOrEqual(lastSlotAt - 200);
    await sleep(1_000);
    expect(changesOf(bob)).toEqual([]);

    bobBack.disconnect();
    annSocket.disconnect();
  }, 90_000);
});

/** One handshake with `token`: connected (then closed at once) or refused, with the slot a busy node gave. */
function handshakeOutcome(url: string, token: string): Promise<{ retryAfterMs: number | null }> {
  const socket = io(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve) => {
    socket.once('connect', () => {
      socket.disconnect();
      resolve({ retryAfterMs: null });
    });
    socket.once('connect_error', (err: Error & { data?: { retryAfterMs?: number } }) => {
      socket.disconnect();
      resolve({ retryAfterMs: err.data?.retryAfterMs ?? null });
    });
  });
}
