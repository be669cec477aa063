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
