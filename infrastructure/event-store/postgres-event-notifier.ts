import pg from 'pg';
import type { RecordedEvent } from '../../application/ports/event-store.js';
import { toRecorded, type EventRow } from './event-row.js';

const CHANNEL = 'derbel_events';

/** Notices an inbox keeps for a subscriber that is busy; past it they stand for one "read the log". */
const MAX_HELD_NOTICES = 1_000;

/**
 * What a subscriber learns of an append: its events (the NOTIFY's payload, migrations/020_notify_with_events.sql),
 * that something was appended and must be read (`read`: an empty payload, a lost payload, too many notices held),
 * or, for this process's own appends, the highest position it wrote (its notice with the events is on its way).
 */
export type Notice = { events: RecordedEvent[] } | { read: true } | { written: number };

/** One subscriber's notices, in the order PostgreSQL delivered them (its commit order). */
export class NoticeInbox {
  private notices: Notice[] = [];
  private wake: (() => void) | null = null;

  constructor(private readonly onClose: (inbox: NoticeInbox) => void) {}

  push(notice: Notice) {
    if (this.notices.length >= MAX_HELD_NOTICES) this.notices = [{ read: true }];
    else this.notices.push(notice);
    this.wake?.();
  }

  /** Everything held, oldest first; the inbox is empty after. */
  take(): Notice[] {
    return this.notices.splice(0);
  }

  clear() {
    this.notices = [];
  }

  /** Resolves true once a notice is held, false after `ms` or when `signal` aborts. */
  wait(ms: number, signal: AbortSignal): Promise<boolean> {
    if (this.notices.length > 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      if (signal.aborted) return resolve(false);
      const done = (held: boolean) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', aborted);
        this.wake = null;
        resolve(held);
      };
      const aborted = () => done(false);
      const timer = setTimeout(() => done(false), ms);
      signal.addEventListener('abort', aborted, { once: true });
      this.wake = () => done(true);
    });
  }

  close() {
    this.onClose(this);
  }
}

/**
 * Tells subscribers of appends, on every node: each append's transaction NOTIFYs at its commit with its events
 * (a trigger on `events`, migrations/007 and 020), and one LISTEN connection per process hands each notice to
 * every subscriber's inbox. Appends of this process also tell its subscribers at once how far they wrote.
 */
export class PostgresEventNotifier {
  private listener: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private readonly inboxes = new Set<NoticeInbox>();
  private closed = false;

  constructor(private readonly connectionString: string) {}

  /** A subscriber's inbox; it starts listening if this process was not yet. */
  inbox(): NoticeInbox {
    const inbox = new NoticeInbox((closed) => this.inboxes.delete(closed));
    this.inboxes.add(inbox);
    void this.ensureListening();
    return inbox;
  }

  /** Keeps the LISTEN connection up (after a lost one, at the next call). */
  listen(): void {
    void this.ensureListening();
  }

  /** This process appended up to `position` (null: it cannot tell, e.g. a failed batch): subscribers here need not wait 5 s. */
  appended(position: number | null): void {
    this.tell(position === null ? { read: true } : { written: position });
  }

  private tell(notice: Notice) {
    for (const inbox of this.inboxes) inbox.push(notice);
  }

  private ensureListening(): Promise<void> {
    if (this.listener || this.closed) return Promise.resolve();
    this.connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.connectionString });
      client.on('notification', (message) => this.tell(noticeOf(message.payload)));
      client.on('error', () => {
        // Connection lost (e.g. PostgreSQL restarted): drop it; the next call reconnects, and subscribers'
        // safety timeout keeps them reading meanwhile.
        if (this.listener === client) this.listener = null;
        client.end().catch(() => {});
      });
      try {
        await client.connect();
        await client.query(`LISTEN ${CHANNEL}`);
        if (this.closed) await client.end();
        else this.listener = client;
      } catch {
        await client.end().catch(() => {});
        await new Promise((r) => setTimeout(r, 1_000));
      } finally {
        this.connecting = null;
      }
    })();
    return this.connecting;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.tell({ read: true });
    await this.connecting;
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => {});
  }
}

/** A payload's events as a read would give them; anything unexpected means "read the log". */
export function noticeOf(payload: string | undefined): Notice {
  if (!payload) return { read: true };
  try {
    const rows = JSON.parse(payload) as EventRow[];
    if (!Array.isArray(rows) || rows.length === 0) return { read: true };
    return { events: rows.map(toRecorded) };
  } catch {
    return { read: true };
  }
}
