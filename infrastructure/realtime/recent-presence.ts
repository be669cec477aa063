import type { PresenceChange } from './presence-announcer.js';

/** How long this node remembers the presence changes it delivered. */
export const RECENT_PRESENCE_MS = 5 * 60_000;

/**
 * The presence changes this node delivered lately (every node delivers every batch to its own sockets:
 * presence-fanout.ts), in order, with the latest state of each user. A client that was without a connection
 * missed the pushes made meanwhile (presence is not in the feed); asked on its reconnect, this says whose
 * presence changed since it went away.
 */
export class RecentPresence {
  private readonly log: Array<{ userId: string; at: number }> = [];
  /** Index of the oldest entry still kept (the log is compacted now and then, not shifted per entry). */
  private start = 0;
  private readonly states = new Map<string, { online: boolean; at: number }>();
  private readonly since: number;

  constructor(
    private readonly keepMs = RECENT_PRESENCE_MS,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.since = now();
  }

  record(changes: readonly PresenceChange[]) {
    const at = this.now();
    for (const { userId, online } of changes) {
      this.log.push({ userId, at });
      this.states.set(userId, { online, at });
    }
    this.forgetBefore(at - this.keepMs);
  }

  /**
   * The users whose presence changed at or after `at` (this clock), with their latest state; null when this
   * node does not remember that far back (it started later, or it was longer ago than it keeps).
   */
  changedSince(at: number): PresenceChange[] | null {
    const now = this.now();
    if (at < this.since || at < now - this.keepMs) return null;
    let low = this.start;
    let high = this.log.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.log[middle].at < at) low = middle + 1;
      else high = middle;
    }
    const changed = new Set<string>();
    for (let i = low; i < this.log.length; i++) changed.add(this.log[i].userId);
    return [...changed].map((userId) => ({ userId, online: this.states.get(userId)!.online }));
  }

  /** A user's latest state this node remembers. */
  latest(userId: string): boolean | undefined {
    return this.states.get(userId)?.online;
  }

  private forgetBefore(at: number) {
    while (this.start < this.log.length && this.log[this.start].at < at) {
      const { userId, at: when } = this.log[this.start++];
      if (this.states.get(userId)?.at === when) this.states.delete(userId);
    }
    if (this.start > 1_024 && this.start > this.log.length / 2) {
      this.log.splice(0, this.start);
      this.start = 0;
    }
  }
}
