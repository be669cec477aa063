import { Observable } from '../observable.js';
import type { RestClient } from '../transport/rest-client.js';
import type { CallRecord } from '../types.js';

export type CallsLogState = { calls: CallRecord[]; hasMore: boolean; loaded: boolean; loading: boolean };

const empty: CallsLogState = { calls: [], hasMore: false, loaded: false, loading: false };
const PAGE = 30;

/** The user's call history (missed, declined, finished calls), newest first. */
export class CallsLog {
  readonly state = new Observable<CallsLogState>(empty);
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly api: RestClient) {}

  async load(minPosition?: number) {
    this.state.update((state) => ({ ...state, loading: true }));
    try {
      const { calls, hasMore } = await this.api.listCalls({ limit: PAGE, minPosition });
      this.state.set({ calls, hasMore, loaded: true, loading: false });
    } catch (error) {
      this.state.update((state) => ({ ...state, loading: false }));
      throw error;
    }
  }

  async loadMore() {
    const { calls } = this.state.value;
    const oldest = calls[calls.length - 1];
    if (!oldest) return this.load();
    this.state.update((state) => ({ ...state, loading: true }));
    try {
      const page = await this.api.listCalls({ before: oldest.meetingId, limit: PAGE });
      const known = new Set(calls.map((call) => call.meetingId));
      this.state.update((state) => ({
        calls: [...state.calls, ...page.calls.filter((call) => !known.has(call.meetingId))],
        hasMore: page.hasMore,
        loaded: true,
        loading: false,
      }));
    } catch (error) {
      this.state.update((state) => ({ ...state, loading: false }));
      throw error;
    }
  }

  /** A meeting ended: reload the newest page once its projection has it. */
  refresh(minPosition: number) {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      void this.load(minPosition).catch(() => undefined);
    }, 300);
  }

  /** Calls with one contact, for showing them inside that conversation. */
  forContact(contactId: string) {
    return this.state.value.calls.filter((call) => call.contactId === contactId);
  }

  clear() {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.state.set(empty);
  }
}
