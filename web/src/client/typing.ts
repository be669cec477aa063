import { Observable } from './observable.js';

const SHOWN_MS = 4_000;
const SENT_EVERY_MS = 2_000;

/** Who is typing where (shown for a few seconds after each notice), and throttling of our own notices. */
export class Typing {
  /** contactId → until when (epoch ms) someone shows as typing there. */
  readonly state = new Observable<Record<string, number>>({});
  /** contactId → userId → until when (epoch ms): who types, for groups ("Ann and Bob are typing"). */
  readonly people = new Observable<Record<string, Record<string, number>>>({});
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

  /** Someone (`userId`, when the server says) is typing in `contactId`. */
  started(contactId: string, userId?: string) {
    const until = this.now().getTime() + SHOWN_MS;
    this.state.update((typing) => ({ ...typing, [contactId]: until }));
    if (userId) this.people.update((people) => ({ ...people, [contactId]: { ...people[contactId], [userId]: until } }));
    this.scheduleExpiry();
  }

  /** Their message arrived: they are done typing (everyone there, when the sender is not named). */
  stopped(contactId: string, userId?: string) {
    const others = { ...this.people.value[contactId] };
    if (userId) delete others[userId];
    const stillTyping = userId !== undefined && Object.keys(others).length > 0;
    if (contactId in this.people.value) {
      const rest = { ...this.people.value };
      if (stillTyping) rest[contactId] = others;
      else delete rest[contactId];
      this.people.set(rest);
    }
    if (stillTyping || !(contactId in this.state.value)) return;
    const rest = { ...this.state.value };
    delete rest[contactId];
    this.state.set(rest);
  }

  clear() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.state.set({});
    this.people.set({});
  }

  private scheduleExpiry() {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const at = this.now().getTime();
      const live = Object.fromEntries(Object.entries(this.state.value).filter(([, until]) => until > at));
      this.state.set(live);
      const people = Object.entries(this.people.value)
        .map(([contactId, who]) => [contactId, Object.fromEntries(Object.entries(who).filter(([, until]) => until > at))] as const)
        .filter(([, who]) => Object.keys(who).length > 0);
      this.people.set(Object.fromEntries(people));
      if (Object.keys(live).length > 0) this.scheduleExpiry();
    }, 1_000);
  }
}
