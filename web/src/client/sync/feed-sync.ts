import type { FeedEvent } from '../types.js';

export type FeedPage = { events: FeedEvent[]; hasMore: boolean };

/**
 * Applies the user's feed exactly once, in position order, across live pushes and catch-up.
 *
 * Live events that arrive while a catch-up runs are held back and applied after it, so a catch-up
 * page never lands behind a newer live event and nothing is skipped or doubled.
 */
export class FeedSync {
  /** The highest position applied; null until a baseline is known. */
  position: number | null = null;
  private catchingUp = false;
  private held: FeedEvent[] = [];
  private running: Promise<void> | null = null;

  constructor(
    private readonly fetchPage: (after: number) => Promise<FeedPage>,
    private readonly apply: (event: FeedEvent) => void,
  ) {}

  /** Sets the position a freshly loaded snapshot reflects. Never moves backwards. */
  setBaseline(position: number) {
    if (this.position === null || position > this.position) this.position = position;
  }

  /** Holds live events back while a snapshot loads; `release` applies those it does not cover. */
  hold() {
    this.catchingUp = true;
  }

  /** Ends a `hold`: sets the snapshot's position when known, then applies the held events after it. */
  release(baseline?: number | null) {
    if (typeof baseline === 'number') this.setBaseline(baseline);
    if (this.running) return;
    this.catchingUp = false;
    this.drain();
  }

  /** Forgets everything (sign-out). */
  reset() {
    this.position = null;
    this.held = [];
    this.catchingUp = false;
  }

  /** A pushed event. */
  receive(event: FeedEvent) {
    if (this.catchingUp) {
      this.held.push(event);
      return;
    }
    this.applyOnce(event);
  }

  /**
   * Fetches everything after the last applied position, then applies the held live events.
   * If a page fails, live events stay held (applying them would skip what was not fetched):
   * call again to retry. `firstPage`, when given, is the first page as the server sent it unasked (a reconnect's
   * `feed:missed`); null from it means it did not come, and the page is fetched.
   */
  catchUp(firstPage?: Promise<FeedPage | null>): Promise<void> {
    if (this.running) return this.running;
    this.catchingUp = true;
    this.running = this.fetchAll(firstPage).then(
      () => {
        this.catchingUp = false;
        this.running = null;
        this.drain();
      },
      (error: unknown) => {
        this.running = null;
        throw error;
      },
    );
    return this.running;
  }

  get hasBaseline() {
    return this.position !== null;
  }

  get isCatchingUp() {
    return this.catchingUp;
  }

  private async fetchAll(firstPage?: Promise<FeedPage | null>) {
    if (this.position === null) return;
    let page = (await firstPage) ?? null;
    for (;;) {
      page ??= await this.fetchPage(this.position!);
      for (const event of page.events) this.applyOnce(event);
      if (!page.hasMore || page.events.length === 0) return;
      page = null;
    }
  }

  private drain() {
    const held = this.held.sort((a, b) => a.position - b.position);
    this.held = [];
    for (const event of held) this.applyOnce(event);
  }

  private applyOnce(event: FeedEvent) {
    if (this.position !== null && event.position <= this.position) return;
    this.position = event.position;
    this.apply(event);
  }
}
