/**
 * Exponential back-off with "full jitter": attempt n waits a uniformly random time in
 * [0, min(maxMs, baseMs · 2ⁿ)]. The cap is applied before the random draw, so no two clients that lost
 * their server at the same instant share a retry schedule, at any attempt.
 *
 * (Socket.io-client's own back-off applies its ±50 % jitter first and the cap after it: from the fourth
 * attempt on, every client retries exactly every `reconnectionDelayMax`, all in step — a herd.)
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/** Reconnecting the socket and retrying what a reconnect does (catch-up, snapshot, session check). */
export const RECONNECT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 15_000 };

export function backoffDelay(attempt: number, policy: BackoffPolicy = RECONNECT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, Math.min(attempt, 30)));
  return Math.floor(random() * ceiling);
}

/** Counts the attempts of one retry loop; `reset()` once it succeeds. */
export class Backoff {
  private attempts = 0;

  constructor(
    private readonly policy: BackoffPolicy = RECONNECT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    return backoffDelay(this.attempts++, this.policy, this.random);
  }

  reset() {
    this.attempts = 0;
  }

  get attempt() {
    return this.attempts;
  }
}

/**
 * The first attempt after the server went away (its connection closed or failed, as when a node dies): a
 * uniformly random time within the spread that node asked for (`reconnect:spread`, its sockets at the rate
 * another node takes them), and never less wide than the back-off's first step.
 */
export function spreadDelay(spreadMs: number, policy: BackoffPolicy = RECONNECT_BACKOFF, random: () => number = Math.random): number {
  return Math.floor(random() * Math.max(policy.baseMs, spreadMs));
}

/** A `reconnect:spread` hint's milliseconds, or null when it is not one. */
export function spreadHintMs(hint: unknown): number | null {
  const ms = (hint as { ms?: unknown } | null)?.ms;
  return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? Math.min(ms, 60_000) : null;
}

/** A `server:draining` notice's `spreadMs`, or null when it names none (an older node: keep the hint). */
export function drainingSpreadMs(notice: unknown): number | null {
  return spreadHintMs({ ms: (notice as { spreadMs?: unknown } | null)?.spreadMs });
}

/** Disconnect reasons that mean the server's end went away (a node that died or drained), not this client's network. */
export const SERVER_WENT_AWAY = new Set(['transport close', 'transport error']);
