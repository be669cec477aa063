import fs, { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Metrics } from './metrics.js';

// A node in a storm holds 20,000 sockets. Default metrics that walk every handle or descriptor on the event
// loop stalled it ~35 ms per scrape (BENCHMARKS.md); a scrape must not touch them one by one on the loop.
describe('a scrape of the default metrics', () => {
  afterEach(() => vi.restoreAllMocks());

  it('walks no handle, resource or descriptor list on the event loop, and still counts open descriptors', async () => {
    const walks = [
      vi.spyOn(process as unknown as { _getActiveHandles: () => unknown[] }, '_getActiveHandles'),
      vi.spyOn(process, 'getActiveResourcesInfo'),
      vi.spyOn(fs, 'readdirSync'),
    ];
    const metrics = new Metrics({ defaultMetrics: true });
    const { body } = await metrics.scrape();
    for (const walk of walks) expect(walk).not.toHaveBeenCalled();
    expect(body).not.toMatch(/^derbel_nodejs_active_(handles|resources)/m);
    expect(body).toMatch(/^derbel_nodejs_heap_size_used_bytes /m);
    if (process.platform === 'linux') {
      const reported = Number(/^derbel_process_open_fds (\d+)/m.exec(body)?.[1]);
      vi.restoreAllMocks();
      expect(Math.abs(reported - readdirSync('/proc/self/fd').length)).toBeLessThanOrEqual(2);
    }
  });
});
