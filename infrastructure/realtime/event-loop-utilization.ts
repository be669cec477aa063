import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/** The event loop's utilization (0–1) between one call and the next (the first: since the process started). */
export function eventLoopUtilizationSinceLastCall() {
  let previous: EventLoopUtilization = performance.eventLoopUtilization();
  return () => {
    const current = performance.eventLoopUtilization();
    const delta = performance.eventLoopUtilization(current, previous);
    previous = current;
    return delta.utilization;
  };
}

/** What a component that follows the node's load reads of the process; injectable for unit tests. */
export interface LoadProbes {
  /** The event loop's utilization (0–1) since the previous call (default: `eventLoopUtilizationSinceLastCall()`). */
  utilization?: () => number;
  /** Milliseconds on a monotonic clock (default: `performance.now()`). */
  now?: () => number;
}
