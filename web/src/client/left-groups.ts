import type { Group } from './state/groups-state.js';
import type { KeyValueStore } from './key-value-store.js';
import type { Message } from './types.js';

/** How much of a group's history is kept once the user left it. */
const KEPT_MESSAGES = 200;

export type LeftGroup = { group: Group; messages: Message[] };

/**
 * Groups the user left or was removed from, with what they had seen, kept on the device: the server
 * answers 404 from then on, and the group stays readable (as Signal keeps it) until the user removes it.
 */
export class LeftGroups {
  constructor(
    private readonly storage: KeyValueStore,
    /** One key per server and user, so nothing crosses accounts. */
    private readonly key: () => string | null,
  ) {}

  all(): LeftGroup[] {
    const key = this.key();
    if (!key) return [];
    try {
      const parsed: unknown = JSON.parse(this.storage.getItem(key) ?? '[]');
      return Array.isArray(parsed) ? (parsed as LeftGroup[]).filter((entry) => entry?.group?.id && Array.isArray(entry.messages)) : [];
    } catch {
      return [];
    }
  }

  keep(group: Group, messages: readonly Message[]) {
    this.write([...this.all().filter((entry) => entry.group.id !== group.id), { group, messages: messages.slice(-KEPT_MESSAGES) }]);
  }

  forget(groupId: string) {
    const all = this.all();
    if (all.some((entry) => entry.group.id === groupId)) this.write(all.filter((entry) => entry.group.id !== groupId));
  }

  private write(entries: LeftGroup[]) {
    const key = this.key();
    if (!key) return;
    try {
      if (entries.length) this.storage.setItem(key, JSON.stringify(entries));
      else this.storage.removeItem(key);
    } catch {
      // Storage full or refused: the group stays readable until the page reloads.
    }
  }
}
