import type { Logger } from 'pino';

export type PresenceChange = { userId: string; online: boolean };

export interface PresenceAnnouncerOptions {
  /** A user who came online is announced after this long, if still online: a flap sends nothing. */
  onlineSettleMs: number;
  /** A user who went offline is announced after this long, if still offline: a quick reconnect (to any node) sends nothing. */
  offlineGraceMs: number;
  /** Who is online now, on every node; rejects when that cannot be known (then nothing is announced yet). */
  onlineNow(userIds: string[]): Promise<Set<string>>;
  /** What contacts were last told, by any node (so a user moving between nodes is not announced again). */
  lastAnnounced(userIds: string[]): Promise<Map<string, boolean>>;
  recordAnnounced(changes: PresenceChange[]): Promise<void>;
  /** Delivers one batch of changes to every node's sockets of the changed users' contacts. */
  publish(changes: PresenceChange[]): void;
  /**
   * How far ahead this node has promised refused handshakes a slot (handshake-admission.ts). While it is still
   * taking a crowd back at its own pace, a dead node's users are not gone: they may hold one of those slots.
   */
  slotsPromisedForMs?(): number;
  log: Logger;
}

/**
 * The longest a dead node's user is held past the window their node asked for, however long the slots run: a
 * node that never catches up must still, in the end, tell contacts who is not coming back.
 */
export const MAX_HOLD_FOR_SLOTS_MS = 120_000;

type Mark = { online: boolean; at: number; holdUntil?: number };

/**
 * Presence transitions are not pushed as they happen: they are collected, and every `onlineSettleMs` the due
 * ones are checked against the truth (Redis) and sent as one batch. A reconnect storm becomes a few batches
 * per second, each recipient getting one push per batch (presence-fanout.ts), instead of one push per user
 * per contact. What was last announced is kept in Redis for all nodes, so the same state is not sent twice
 * (a user whose socket moved to another node within the grace is announced to nobody).
 */
export class PresenceAnnouncer {
  private readonly due = new Map<string, Mark>();
  private timer: NodeJS.Timeout | null = null;
  /** When the timer fires (Date.now() time). */
  private timerAt = 0;
  private flushing = false;
  /** Called after every flush: those waiting for the announcer to have nothing left to announce. */
  private readonly afterFlush = new Set<() => void>();

  constructor(private readonly options: PresenceAnnouncerOptions) {}

  /**
   * The user's first socket opened (online) or last socket closed (offline), here or on a dead node.
   * `delayMs` replaces the settle or grace: a dead node's users are given the window its clients were told
   * to spread their return over, and longer while this node still has slots promised (`slotsPromisedForMs`).
   */
  changed(userId: string, online: boolean, delayMs?: number) {
    const delay = delayMs ?? (online ? this.options.onlineSettleMs : this.options.offlineGraceMs);
    const at = Date.now() + delay;
    const awaitedBack = delayMs !== undefined && !online;
    this.due.set(userId, awaitedBack ? { online, at, holdUntil: at + MAX_HOLD_FOR_SLOTS_MS } : { online, at });
    this.schedule(delay);
  }

  /**
   * Resolves once every transition collected so far has been announced (or found to be a flap), or after
   * `timeoutMs`. A draining node waits for this before it goes: what it has not announced, nobody will.
   */
  whenSettled(timeoutMs: number): Promise<boolean> {
    if (this.due.size === 0 && !this.flushing) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => this.due.size === 0 && done(true);
      const done = (settled: boolean) => {
        clearTimeout(timer);
        this.afterFlush.delete(check);
        resolve(settled);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.afterFlush.add(check);
    });
  }

  close() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.due.clear();
  }

  /** Flushes in `delay`, unless the timer already fires sooner (a long delay must not hold back a shorter one's). */
  private schedule(delay: number) {
    const at = Date.now() + Math.max(delay, 10);
    if (this.timer) {
      if (this.timerAt <= at) return;
      clearTimeout(this.timer);
    }
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, at - Date.now());
    this.timer.unref();
  }

  private async flush() {
    if (this.flushing) return this.schedule(this.options.onlineSettleMs);
    this.flushing = true;
    try {
      const now = Date.now();
      const ready = this.holdForPromisedSlots(
        [...this.due].filter(([, d]) => d.at <= now),
        now,
      );
      if (ready.length > 0) await this.announce(ready);
    } catch (err) {
      this.options.log.warn({ err }, 'presence: could not check who is online; announcing later');
    } finally {
      this.flushing = false;
      if (this.due.size > 0) {
        const next = Math.min(...[...this.due.values()].map((d) => d.at)) - Date.now();
        this.schedule(Math.max(next, this.options.onlineSettleMs / 2));
      }
      for (const waiter of [...this.afterFlush]) waiter();
    }
  }

  /**
   * Moves the due offline marks of a dead node's users past the slots this node has promised (plus the grace),
   * up to their `holdUntil`; the others are ready now. Otherwise a user holding a slot past the window is
   * announced offline when it ends and online when the slot comes: two pushes to every contact, sent by the node
   * that is already the busiest.
   */
  private holdForPromisedSlots(ready: Array<[string, Mark]>, now: number) {
    const promisedMs = this.options.slotsPromisedForMs?.() ?? 0;
    if (promisedMs <= 0) return ready;
    return ready.filter(([, mark]) => {
      if (mark.holdUntil === undefined || mark.holdUntil <= now) return true;
      mark.at = Math.min(mark.holdUntil, now + promisedMs + this.options.offlineGraceMs);
      return false;
    });
  }

  private async announce(ready: Array<[string, Mark]>) {
    const userIds = ready.map(([userId]) => userId);
    const [online, announced] = await Promise.all([this.options.onlineNow(userIds), this.options.lastAnnounced(userIds)]);
    const changes: PresenceChange[] = [];
    for (const [userId, mark] of ready) {
      // A newer mark (set while the truth was being read) stays for its own moment.
      if (this.due.get(userId) === mark) this.due.delete(userId);
      const isOnline = online.has(userId);
      // Went the other way meanwhile: that transition has its own mark, or cancelled this one (a flap).
      if (isOnline !== mark.online) continue;
      // Contacts were told this already (unknown: told anyway).
      if (announced.get(userId) === isOnline) continue;
      changes.push({ userId, online: isOnline });
    }
    if (changes.length === 0) return;
    await this.options.recordAnnounced(changes);
    this.options.publish(changes);
  }
}
