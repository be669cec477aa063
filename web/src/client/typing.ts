import { Observable } from './observable.js';

const SHOWN_MS = 4_000;
const SENT_EVERY_MS = 2_000;

/** Who is typing where (shown for a few seconds after each notice), and throttling of our own notices. */
export class Typing {
  /** contactId → until when (epoch ms) the peer shows as typing. */
  readonly state = new Observable<Record<string, number>>({});
  private lastSent = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly now: () => Date) {}

  /** Whether to tell the server we type in `contactId` now (at most every couple of seconds). */
  shouldNotify(contactId: string): boolean {
    const at = this.now().getTime();
    if (at - (this.lastSent.get(contactId) ?? 0) < SENT_EVERY_MS) return false;
    this.lastSent.set(contactId, at);
    return true;
  }

  /** We sent a message: the next keystroke starts a new typing notice at once. */
  sent(contactId: string) {
    this.lastSent.delete(contactId);
  }

  /** The peer is typing in `contactId`. */
  started(contactId: string) {
    this.state.update((typing) => ({ ...typing, [contactId]: this.now().getTime() + SHOWN_MS }));
    this.scheduleExpiry();
  }

  /** Their message arrived: they are done typing. */
  stopped(contactId: string) {
    if (!(contactId in this.state.value)) return;
    const rest = { ...this.state.value };
    delete rest[contactId];
    this.state.set(rest);
  }

  clear() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.state.set({});
  }

  private scheduleExpiry() {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const at = this.now().getTime();
      const live = Object.fromEntries(Object.entries(this.state.value).filter(([, until]) => until > at));
      this.state.set(live);
      if (Object.keys(live).length > 0) this.scheduleExpiry();
    }, 1_000);
  }
}
