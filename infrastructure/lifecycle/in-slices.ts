/** What `work` answers to end `inSlices` before the rest of the items. */
export const STOP_SLICES = Symbol('stop slices');

/**
 * Works through `items` `size` at a time, each slice in its own turn of the event loop (after the previous
 * slice's promise, if `work` answers one, settled): thousands of sockets or recipients then do not hold a
 * node's other work (its users' messages) for a whole pass. `work` answering `STOP_SLICES` ends it there.
 */
export async function inSlices<T>(items: readonly T[], size: number, work: (slice: T[]) => unknown): Promise<void> {
  for (let from = 0; from < items.length; from += size) {
    if (from > 0) await new Promise((resolve) => setImmediate(resolve));
    const answer = work(items.slice(from, from + size));
    // A plain answer is not awaited: the next slice's turn is then queued at once, as a loop of its own would.
    if ((answer instanceof Promise ? await answer : answer) === STOP_SLICES) return;
  }
}
