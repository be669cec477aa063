/** What `work` answers to end `inSlices` before the rest of the items. */
export const STOP_SLICES = Symbol('stop slices');

export interface SliceOptions {
  /**
   * Background work with a deadline far away: the slices start evenly over this many milliseconds (slice k
   * at k × spreadOverMs / slices, or at once after a slower previous one) instead of one after the other.
   */
  spreadOverMs?: number;
}

/**
 * Works through `items` `size` at a time, each slice in its own turn of the event loop (after the previous
 * slice's promise, if `work` answers one, settled): thousands of sockets or recipients then do not hold a
 * node's other work (its users' messages) for a whole pass. `work` answering `STOP_SLICES` ends it there.
 */
export async function inSlices<T>(
  items: readonly T[],
  size: number,
  work: (slice: T[]) => unknown,
  { spreadOverMs = 0 }: SliceOptions = {},
): Promise<void> {
  const started = performance.now();
  const gap = spreadOverMs / Math.ceil(items.length / size);
  for (let from = 0; from < items.length; from += size) {
    if (from > 0) await nextSliceTurn(started + (from / size) * gap);
    const answer = work(items.slice(from, from + size));
    // A plain answer is not awaited: the next slice's turn is then queued at once, as a loop of its own would.
    if ((answer instanceof Promise ? await answer : answer) === STOP_SLICES) return;
  }
}

/**
 * A turn of its own, not before `at` (a timer that does not keep the process alive for background work).
 * Node counts timers on libuv's clock in whole milliseconds, so one can fire up to a millisecond early by
 * `performance.now()`: it is then set again for what is left.
 */
async function nextSliceTurn(at: number): Promise<void> {
  for (let wait = at - performance.now(); ; wait = at - performance.now()) {
    if (wait <= 0) return new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.ceil(wait))).unref());
    if (performance.now() >= at) return;
  }
}
