import type { GroupNote } from './state/groups-state.js';
import type { KeyValueStore } from './key-value-store.js';

/** How many membership lines are kept per group. */
const KEPT_NOTES = 100;

/**
 * A group's membership lines ("Ann added Bob") kept on the device: they come from live feed events and
 * are not part of the history the server pages, so a reload would lose them otherwise.
 */
export class GroupNotes {
  constructor(
    private readonly storage: KeyValueStore,
    /** One key per server and user. */
    private readonly key: () => string | null,
  ) {}

  all(): Record<string, GroupNote[]> {
    const key = this.key();
    if (!key) return {};
    try {
      const parsed: unknown = JSON.parse(this.storage.getItem(key) ?? '{}');
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, GroupNote[]>) : {};
    } catch {
      return {};
    }
  }

  keep(groupId: string, notes: readonly GroupNote[]) {
    const all = this.all();
    if (JSON.stringify(all[groupId] ?? []) === JSON.stringify(notes.slice(-KEPT_NOTES))) return;
    this.write({ ...all, [groupId]: notes.slice(-KEPT_NOTES) });
  }

  forget(groupId: string) {
    const all = this.all();
    if (!(groupId in all)) return;
    delete all[groupId];
    this.write(all);
  }

  private write(all: Record<string, GroupNote[]>) {
    const key = this.key();
    if (!key) return;
    try {
      if (Object.keys(all).length) this.storage.setItem(key, JSON.stringify(all));
      else this.storage.removeItem(key);
    } catch {
      // Storage full or refused: the lines stay until the page reloads.
    }
  }
}
