import { expect } from 'vitest';
import type { Page } from 'playwright-core';

/** What a test reads off a page in a call, through the app's public `client` (for getStats). */
export function framesDecoded(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const app = document.querySelector('derbel-app') as unknown as {
      client: { call: { view: { value: { phase: string; session?: { stats(): Promise<Array<{ framesDecoded: number }>> } } } } };
    };
    const view = app.client.call.view.value;
    if (view.phase !== 'call' || !view.session) return 0;
    return (await view.session.stats()).reduce((sum, peer) => sum + peer.framesDecoded, 0);
  });
}

/** The size of the remote participant's video as decoded (0 until frames arrive). */
export function remoteVideoWidth(page: Page): Promise<number> {
  return page
    .locator('derbel-video-tile:not([self])')
    .first()
    .evaluate((tile) => (tile as unknown as { videoElement: HTMLVideoElement | null }).videoElement?.videoWidth ?? 0)
    .catch(() => 0);
}

/** The call as one page sees it, for a failure message. */
export function describeCall(page: Page): Promise<string> {
  return page
    .evaluate(() => {
      const app = document.querySelector('derbel-app') as unknown as {
        client: {
          call: {
            view: {
              value: {
                phase: string;
                session?: {
                  state: { value: unknown };
                  links?: Map<string, { link: { pc: RTCPeerConnection; id: string; remoteLinkId: string | null } }>;
                };
              };
            };
          };
        };
      };
      const view = app.client.call.view.value;
      const session = view.session;
      const links = [...(session?.links?.entries() ?? [])].map(([peerId, { link }]) => ({
        peerId,
        id: link.id,
        remote: link.remoteLinkId,
        signaling: link.pc.signalingState,
        connection: link.pc.connectionState,
        ice: link.pc.iceConnectionState,
      }));
      return JSON.stringify({
        phase: view.phase,
        state: session?.state.value,
        links,
        log: (window as unknown as { callLog?: unknown[] }).callLog,
      });
    })
    .catch((error: Error) => `unavailable: ${error.message}`);
}

/** Records the call's feed events and signals on the page (read back by describeCall). */
export function recordCall(page: Page) {
  return page.evaluate(() => {
    const w = window as unknown as { callLog: unknown[] };
    w.callLog = [];
    const app = document.querySelector('derbel-app') as unknown as {
      client: {
        events: {
          on(
            type: string,
            listener: (payload: {
              type?: string;
              data?: { type?: string; description?: { type: string }; link?: string; target?: string };
            }) => void,
          ): void;
        };
      };
    };
    app.client.events.on('feed', (event) => w.callLog.push(['feed', event.type, JSON.stringify(event.data)]));
    const session = () =>
      (app.client as unknown as { call: { view: { value: { session?: { links: Map<string, { link: { pc: RTCPeerConnection } }> } } } } })
        .call.view.value.session;
    const watched = new WeakSet<RTCPeerConnection>();
    setInterval(() => {
      for (const [, { link }] of session()?.links ?? []) {
        if (watched.has(link.pc)) continue;
        watched.add(link.pc);
        const pc = link.pc;
        const onicecandidate = pc.onicecandidate;
        pc.onicecandidate = (event) => {
          w.callLog.push(['local candidate', event.candidate ? event.candidate.type : null]);
          onicecandidate?.call(pc, event);
        };
        pc.addEventListener('signalingstatechange', () => w.callLog.push(['signaling', pc.signalingState]));
        pc.addEventListener('icegatheringstatechange', () => w.callLog.push(['gathering', pc.iceGatheringState]));
      }
    }, 5);
    app.client.events.on('signal', (signal) => {
      const data = signal.data!;
      w.callLog.push(['signal', data.description?.type ?? 'candidate', data.link, data.target]);
    });
  });
}

/** Waits until the remote video shows and its decoded frames keep rising (the call really carries media). */
export async function videoFlows(page: Page) {
  try {
    await expect.poll(() => remoteVideoWidth(page), { timeout: 20_000 }).toBeGreaterThan(0);
    const before = await framesDecoded(page);
    await expect.poll(() => framesDecoded(page), { timeout: 15_000 }).toBeGreaterThan(before + 5);
  } catch (error) {
    throw new Error(`no video on ${page.url()}: ${await describeCall(page)}`, { cause: error });
  }
}
