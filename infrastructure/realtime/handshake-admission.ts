import { performance } from 'node:perf_hooks';
import { eventLoopUtilizationSinceLastCall, type LoadProbes } from './event-loop-utilization.js';

export type Admission = { admitted: true } | { admitted: false; retryAfterMs: number };

export interface HandshakeAdmissionOptions extends LoadProbes {
  /** The most handshakes a second this node takes (the rate it starts at and climbs back to). */
  maxPerSecond: number;
  /** It never goes below this, however busy the node is (default: an eighth of the most). */
  minPerSecond?: number;
  /** The event loop busier than this over a tick: take fewer handshakes. */
  busyUtilization?: number;
  /** Less busy than this: take more again. */
  idleUtilization?: number;
  tickMs?: number;
  /** Something else says the node is saturated (e.g. requests queueing for a database connection). */
  saturated?: () => boolean;
}

const MAX_RETRY_AFTER_MS = 120_000;

/**
 * Decides, before any database work, whether this node takes a socket handshake now, and tells the ones it
 * does not take when to come back.
 *
 * When a node dies, its clients all arrive at the survivor within a second or two. Taking every handshake at
 * once starves the survivor's own users (and fills its accept queue); refusing them without a word sends
 * them into back-off, blind. Instead the node admits handshakes at the rate it can finish them — a token
 * bucket whose rate falls when the event loop is busy (or `saturated()` says so) and climbs back when it is
 * not — and hands every refused client the next free slot of a schedule laid out at that rate, so the crowd
 * comes back spread over exactly the time the node needs.
 */
export class HandshakeAdmission {
  private readonly max: number;
  private readonly min: number;
  private readonly busy: number;
  private readonly idle: number;
  private readonly now: () => number;
  private readonly utilization: () => number;
  private readonly saturated: () => boolean;
  private perSecond: number;
  private tokens: number;
  private refilledAt: number;
  /** The last slot promised to a refused client. */
  private lastSlotAt = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly counts = { admitted: 0, refused: 0 };

  constructor(options: HandshakeAdmissionOptions) {
    this.max = options.maxPerSecond;
    this.min = Math.min(options.minPerSecond ?? Math.max(20, Math.round(this.max / 8)), this.max);
    this.busy = options.busyUtilization ?? 0.8;
    this.idle = options.idleUtilization ?? 0.6;
    this.now = options.now ?? (() => performance.now());
    this.utilization = options.utilization ?? eventLoopUtilizationSinceLastCall();
    this.saturated = options.saturated ?? (() => false);
    this.perSecond = this.max;
    this.tokens = this.burst();
    this.refilledAt = this.now();
    this.timer = setInterval(() => this.tick(), options.tickMs ?? 250);
    this.timer.unref();
  }

  admit(): Admission {
    const now = this.now();
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.counts.admitted++;
      return { admitted: true };
    }
    this.counts.refused++;
    const slot = Math.max(this.lastSlotAt, now) + 1000 / this.perSecond;
    this.lastSlotAt = slot;
    return { admitted: false, retryAfterMs: Math.min(MAX_RETRY_AFTER_MS, Math.ceil(slot - now)) };
  }

  /** How far ahead the last slot promised to a refused client lies (0 once it has passed). */
  slotsPromisedForMs() {
    return Math.max(0, this.lastSlotAt - this.now());
  }

  /** The current rate, and how many were admitted and refused so far (metrics, tests). */
  get state() {
    return { perSecond: this.perSecond, ...this.counts };
  }

  /** Adjusts the rate to how busy the node was since the last tick. */
  tick() {
    const utilization = this.utilization();
    if (utilization > this.busy || this.saturated()) this.perSecond = Math.max(this.min, Math.round(this.perSecond * 0.7));
    else if (utilization < this.idle) this.perSecond = Math.min(this.max, Math.round(this.perSecond * 1.25 + 1));
  }

  close() {
    clearInterval(this.timer);
  }

  /** A quarter of a second's worth: a small crowd connects at once, a large one is spread. */
  private burst() {
    return Math.max(1, this.perSecond / 4);
  }

  private refill(now: number) {
    this.tokens = Math.min(this.burst(), this.tokens + ((now - this.refilledAt) * this.perSecond) / 1000);
    this.refilledAt = now;
  }
}
