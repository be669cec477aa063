import type { KeyValueStore } from '../key-value-store.js';
import { Observable } from '../observable.js';
import type { CallRecord } from '../types.js';

/** Missed incoming calls not seen yet: the newest one's end per contact, and how many the call log has. */
export type MissedCalls = { byContact: Record<string, string>; inLog: number };

/** What the user has seen (end times, server clock); calls that ended before `since` count as seen. */
type Seen = { since: string; log: string; contacts: Record<string, string> };

export const noMissedCalls: MissedCalls = { byContact: {}, inLog: 0 };

export function missedCalls(calls: readonly CallRecord[], seen: Seen): MissedCalls {
  const byContact: Record<string, string> = {};
  let inLog = 0;
  for (const call of calls) {
    if (call.outcome !== 'missed' || call.direction !== 'incoming' || call.endedAt <= seen.since) continue;
    if (call.endedAt > seen.log) inLog++;
    if (call.endedAt > (seen.contacts[call.contactId] ?? '') && call.endedAt > (byContact[call.contactId] ?? '')) {
      byContact[call.contactId] = call.endedAt;
    }
  }
  return { byContact, inLog };
}

/**
 * Which missed calls the user has seen, per device (local storage): the call log as a whole, and
 * each conversation. Before the first use nothing counts as missed, so old calls do not light up.
 */
export class SeenCalls {
  readonly state = new Observable<Seen | null>(null);

  constructor(
    private readonly storage: KeyValueStore,
    private readonly key: () => string | null,
    private readonly now: () => Date,
  ) {}

  /** Reads the markers of the signed-in user (on sign-in). */
  load() {
    const key = this.key();
    if (!key) return this.state.set(null);
    let seen: Seen | null = null;
    try {
      seen = JSON.parse(this.storage.getItem(key) ?? 'null') as Seen | null;
    } catch {
      /* unreadable: start again */
    }
    if (!seen?.since) {
      const since = this.now().toISOString();
      seen = { since, log: since, contacts: {} };
      this.save(seen);
    }
    this.state.set(seen);
  }

  markLog(endedAt: string) {
    const seen = this.state.value;
    if (seen && endedAt > seen.log) this.save({ ...seen, log: endedAt });
  }

  markContact(contactId: string, endedAt: string) {
    const seen = this.state.value;
    if (seen && endedAt > (seen.contacts[contactId] ?? '')) this.save({ ...seen, contacts: { ...seen.contacts, [contactId]: endedAt } });
  }

  clear() {
    this.state.set(null);
  }

  private save(seen: Seen) {
    this.state.set(seen);
    const key = this.key();
    try {
      if (key) this.storage.setItem(key, JSON.stringify(seen));
    } catch {
      /* storage refused: seen for this tab only */
    }
  }
}
