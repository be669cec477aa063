import { performance } from 'node:perf_hooks';
import { eventLoopUtilizationSinceLastCall, type LoadProbes } from './event-loop-utilization.js';

export interface ReconnectCapacityOptions extends LoadProbes {
  /** Reconnects a second the node takes beside its own users while its event loop is busy (and never fewer). */
  busyPerSecond: number;
  /** Reconnects a second it takes while its event loop is mostly idle (and never more). */
  idlePerSecond: number;
  /** At or below this utilization (smoothed, and as it would be after the crash) the node offers `idlePerSecond`. */
  idleUtilization?: number;
  /** At or above this it offers `busyPerSecond`; in between, in proportion. */
  busyUtilization?: number;
  /** How quickly the smoothed utilization follows the measured one. */
  halfLifeMs?: number;
  /** Samples itself this often (0: the caller calls `sample()`). */
  sampleEveryMs?: number;
}

/**
 * How many of another node's clients this node would take a second if that node died now, from how busy its own
 * users keep it. A fixed rate fits one load only: on a two-core host a survivor idle before the crash took 400
 * returning clients a second and kept its users' p99 under 100 ms, while one whose users kept it busy collapsed at
 * 400 (p99 2.7 s) and held at 200 (BENCHMARKS.md). Each node publishes this with its heartbeat (node-liveness.ts),
 * and a node's clients are told to spread their return at what the others offer (reconnect-spread.ts).
 *
 * The utilization is smoothed (an exponential moving average with `halfLifeMs`): the hint speaks of a crash to
 * come, so it follows the node's load, not a burst.
 */
export class ReconnectCapacity {
  private readonly busyRate: number;
  private readonly idleRate: number;
  private readonly idleBelow: number;
  private readonly busyAbove: number;
  private readonly halfLifeMs: number;
  private readonly measure: () => number;
  private readonly now: () => number;
  private smoothed: number | null = null;
  private sampledAt: number;
  private readonly timer: NodeJS.Timeout | null = null;

  constructor(options: ReconnectCapacityOptions) {
    this.busyRate = options.busyPerSecond;
    this.idleRate = Math.max(options.idlePerSecond, options.busyPerSecond);
    this.idleBelow = options.idleUtilization ?? DEFAULT_IDLE_UTILIZATION;
    this.busyAbove = Math.max(this.idleBelow + 0.01, options.busyUtilization ?? DEFAULT_BUSY_UTILIZATION);
    this.halfLifeMs = options.halfLifeMs ?? 20_000;
    this.measure = options.utilization ?? eventLoopUtilizationSinceLastCall();
    this.now = options.now ?? (() => performance.now());
    this.sampledAt = this.now();
    const every = options.sampleEveryMs ?? 2_000;
    if (every > 0) {
      this.timer = setInterval(() => this.sample(), every);
      this.timer.unref();
    }
  }

  /** Reads the event loop's utilization since the last sample into the smoothed one (call every few seconds). */
  sample() {
    const now = this.now();
    const measured = this.measure();
    const weight = 1 - 2 ** (-(now - this.sampledAt) / this.halfLifeMs);
    this.sampledAt = now;
    this.smoothed = this.smoothed === null ? measured : this.smoothed + (measured - this.smoothed) * weight;
  }

  /** The smoothed utilization (0 before the first sample). */
  utilization() {
    return this.smoothed ?? 0;
  }

  /**
   * What it offers beside `others` live nodes, the busiest of them at `othersBusiest` (their smoothed utilization,
   * published with their heartbeats). Should that one die, its work would be shared among the rest, so this node
   * judges by its own load plus that share: at 500 msg/s on two nodes, 0.32 and 0.24 measured before a crash and
   * the survivor over 0.8 after, at 100 msg/s 0.15 and 0.12 (BENCHMARKS.md). Alone, its clients come back to it,
   * restarted: its own load.
   */
  perSecond({ others, othersBusiest }: { others: number; othersBusiest: number }) {
    return this.rateAt(this.utilization() + (others > 0 ? othersBusiest / others : 0));
  }

  private rateAt(utilization: number) {
    const busyness = Math.min(1, Math.max(0, (utilization - this.idleBelow) / (this.busyAbove - this.idleBelow)));
    return Math.round(this.idleRate - (this.idleRate - this.busyRate) * busyness);
  }

  close() {
    if (this.timer) clearInterval(this.timer);
  }
}

const DEFAULT_IDLE_UTILIZATION = 0.35;
const DEFAULT_BUSY_UTILIZATION = 0.6;
