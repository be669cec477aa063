import type { ServerContactList } from '../state/contacts-state.js';

/**
 * Reads the contact list again after membership events (`GET /api/contacts?minPosition=`), one read at
 * a time. Events that arrive during a read ask for one more read at the newest position, and the older
 * answer is dropped: it may still show a request or contact that a later event ended.
 */
export class ContactListSync {
  private wanted: number | null = null;
  private running: Promise<void> | null = null;
  private generation = 0;

  constructor(
    private readonly load: (minPosition: number) => Promise<ServerContactList>,
    private readonly apply: (list: ServerContactList) => void,
  ) {}

  /** Resolves once a list reflecting at least `position` is applied; rejects when a read fails. */
  refresh(position: number): Promise<void> {
    this.wanted = Math.max(this.wanted ?? 0, position);
    if (!this.running) {
      const running: Promise<void> = this.readUntilCurrent().finally(() => {
        if (this.running === running) this.running = null;
      });
      this.running = running;
    }
    return this.running;
  }

  /** Forgets reads in flight (sign-out): their answers are not applied. */
  reset() {
    this.generation++;
    this.wanted = null;
    this.running = null;
  }

  private async readUntilCurrent() {
    const generation = this.generation;
    while (this.wanted !== null && generation === this.generation) {
      const position = this.wanted;
      this.wanted = null;
      let list: ServerContactList;
      try {
        list = await this.load(position);
      } catch (error) {
        if (generation === this.generation) this.wanted = Math.max(this.wanted ?? 0, position);
        throw error;
      }
      if (this.wanted === null && generation === this.generation) this.apply(list);
    }
  }
}
