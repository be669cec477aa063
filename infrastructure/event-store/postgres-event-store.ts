import pg from 'pg';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  RecordedEvent,
  Subscription,
} from '../../application/ports/event-store.js';
import { WrongExpectedRevisionError } from '../../application/ports/event-store.js';
import { queryPrepared } from '../database/prepared-statements.js';
import type { Log } from '../observability/log.js';
import { toRecorded, type EventRow } from './event-row.js';
import { PostgresEventNotifier } from './postgres-event-notifier.js';
import { readStreamBatched } from './postgres-stream-reads.js';
import { SQLSTATE, SQLSTATE_CLASS, sqlState } from '../database/sqlstate.js';

interface PendingAppend {
  stream: string;
  expectedRevision: ExpectedRevision;
  events: NewEvent[];
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** How long a subscriber waits for the commit notice of rows it can see are written but not yet readable. */
const PENDING_COMMIT_TIMEOUT_MS = 50;

const READ_RETRY_MS = 500;
const READ_RETRIES_PER_LOG = 60_000 / READ_RETRY_MS;

/** Bounds one batch's statement (and the wait of the appends queued behind it). */
const MAX_APPENDS_PER_BATCH = 200;

/**
 * The oldest transaction id of an append still in flight in this database, or, with none, the next id to
 * be assigned; kept for the rest of the (implicit) transaction in `derbel.read_horizon`.
 */
const SET_HORIZON = `SELECT set_config('derbel.read_horizon', least(
    pg_snapshot_xmax(pg_current_snapshot()),
    (SELECT min((l.classid::bigint << 32) | l.objid::bigint)::text::xid8 FROM pg_locks l
     WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted
       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))
  )::text, true)`;

/**
 * A batch failure that may be one append's fault: a lost race (DB408), or data PostgreSQL refuses (SQLSTATE
 * class 22, e.g. NUL or a lone surrogate in jsonb; class 54, a value over a size limit).
 */
function isAboutOneAppend(error: unknown): boolean {
  const code = sqlState(error);
  if (code === undefined) return false;
  const codeClass = code.slice(0, 2);
  return (
    code === SQLSTATE.revisionTakenConcurrently ||
    codeClass === SQLSTATE_CLASS.dataException ||
    codeClass === SQLSTATE_CLASS.programLimitExceeded
  );
}

/**
 * The PostgreSQL adapter of the event-store port (the default, and the embedded one).
 * Gap-safe global order: see migrations/001_event_store.sql.
 */
export class PostgresEventStore implements EventStore {
  private readonly notifier: PostgresEventNotifier;
  private queued: PendingAppend[] = [];
  private flushing = false;

  constructor(
    private readonly pool: pg.Pool,
    connectionString: string,
    private readonly options: { log?: Log } = {},
  ) {
    this.notifier = new PostgresEventNotifier(connectionString);
  }

  async appendToStream(stream: string, events: NewEvent[], options: { expectedRevision?: ExpectedRevision } = {}): Promise<AppendResult> {
    if (events.length === 0) throw new Error('appendToStream needs at least one event');
    const append: PendingAppend = {
      stream,
      expectedRevision: options.expectedRevision ?? 'any',
      events: events.map(({ id, type, data, metadata }) => ({ id, type, data, metadata })),
      resolve: () => {},
      reject: () => {},
    };
    const result = new Promise<AppendResult>((resolve, reject) => Object.assign(append, { resolve, reject }));
    this.queued.push(append);
    if (!this.flushing) {
      this.flushing = true;
      // Appends that arrive while this turn of the event loop lasts (or while a batch is on its way) go
      // together: one round trip and one commit for all of them.
      setImmediate(() => void this.flush());
    }
    return result;
  }

  private async flush(): Promise<void> {
    while (this.queued.length > 0) {
      const batch = this.queued.splice(0, MAX_APPENDS_PER_BATCH);
      let written: number | null = 0;
      for (const append of batch) {
        const { resolve } = append;
        append.resolve = (result) => {
          written = written === null ? null : Math.max(written, result.position);
          resolve(result);
        };
      }
      try {
        if (batch.length === 1) await this.appendOne(batch[0]);
        else await this.appendBatch(batch);
      } catch (error) {
        written = null;
        for (const append of batch) append.reject(error);
      }
      if (written !== 0) this.notifier.appended(written);
    }
    this.flushing = false;
  }

  private async appendBatch(batch: PendingAppend[]): Promise<void> {
    let rows: Array<{
      request: number;
      outcome: 'appended' | 'duplicate' | 'wrong_revision';
      next_revision: string | null;
      last_position: string | null;
    }>;
    try {
      ({ rows } = await queryPrepared(
        this.pool,
        'SELECT request, outcome, next_revision, last_position FROM derbel_append_batch($1::jsonb)',
        [JSON.stringify(batch.map((a) => ({ stream: a.stream, expected: String(a.expectedRevision), events: a.events })))],
      ));
    } catch (error) {
      // Another transaction won a race for one of the revisions or event ids, or one append's content cannot
      // be stored: each append on its own, so only the append at fault fails.
      if (isAboutOneAppend(error)) return void (await Promise.all(batch.map((a) => this.appendOne(a))));
      for (const append of batch) append.reject(error);
      return;
    }
    for (const row of rows) {
      const append = batch[row.request];
      if (row.outcome === 'wrong_revision') {
        append.reject(
          new WrongExpectedRevisionError(
            append.stream,
            append.expectedRevision,
            row.next_revision === null ? 'no_stream' : Number(row.next_revision),
          ),
        );
      } else {
        append.resolve({ nextRevision: Number(row.next_revision), position: Number(row.last_position) });
      }
    }
  }

  private async appendOne(append: PendingAppend): Promise<void> {
    const { stream, expectedRevision } = append;
    const payload = JSON.stringify(append.events);
    for (let attempt = 0; ; attempt++) {
      try {
        const { rows } = await queryPrepared<{ next_revision: string; last_position: string }>(
          this.pool,
          'SELECT next_revision, last_position FROM derbel_append_events($1, $2, $3::jsonb)',
          [stream, String(expectedRevision), payload],
        );
        const last = rows[rows.length - 1];
        return append.resolve({ nextRevision: Number(last.next_revision), position: Number(last.last_position) });
      } catch (error) {
        const e = error as { code?: string; detail?: string; constraint?: string };
        if (e.code === SQLSTATE.wrongExpectedRevision) {
          const actual = e.detail === 'no_stream' || e.detail === undefined ? 'no_stream' : Number(e.detail);
          return append.reject(new WrongExpectedRevisionError(stream, expectedRevision, actual));
        }
        if (e.code === SQLSTATE.revisionTakenConcurrently && attempt < 50) continue;
        // Two appends of the same event id raced: the loser retries and is answered with the stored event.
        if (e.code === SQLSTATE.uniqueViolation && e.constraint === 'events_event_id_key' && attempt < 2) continue;
        return append.reject(error);
      }
    }
  }

  async readStream(stream: string, options: { from?: number; limit?: number } = {}): Promise<RecordedEvent[]> {
    return readStreamBatched(this.pool, { stream, from: options.from ?? 0, limit: options.limit ?? null });
  }

  async readAll({ after, limit }: { after: number; limit: number }): Promise<RecordedEvent[]> {
    return (await this.readPage(after, limit)).events;
  }

  /**
   * A page of `$all`, and the highest position written (visible or not yet: a running append may still
   * hide it), in one round trip (`derbel_read_all`, migrations/006_cheaper_reads_and_appends.sql).
   * Only rows of appends older than every append still in flight are returned: none of those can later
   * commit a smaller position than one returned here (see migrations/001_event_store.sql).
   */
  private async readPage(after: number, limit: number): Promise<{ events: RecordedEvent[]; writtenHead: number }> {
    const { rows } = await queryPrepared<EventRow & { written_head: string | null }>(
      this.pool,
      'SELECT position, stream_id, revision, event_id, type, data, metadata, written_head FROM derbel_read_all($1, $2)',
      [after, limit],
    );
    const head = rows.pop()!;
    return { events: rows.map(toRecorded), writtenHead: Number(head.written_head) };
  }

  async headPosition(): Promise<number> {
    const results = (await this.pool.query(
      `${SET_HORIZON};
       SELECT coalesce((SELECT position FROM events WHERE transaction_id < current_setting('derbel.read_horizon')::xid8
                        ORDER BY position DESC LIMIT 1), 0) AS head`,
    )) as unknown as pg.QueryResult<{ head: string }>[];
    return Number(results[1].rows[0].head);
  }

  subscribeToAll({ after, batchSize = 500 }: { after: number; batchSize?: number }): Subscription {
    // The generator below is a function (a generator has no arrow form), with its own `this`.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const store = this;
    const log = this.options.log;
    let closed = false;
    const wake = new AbortController();
    const inbox = store.notifier.inbox();
    const iterator = async function* (): AsyncGenerator<RecordedEvent> {
      let position = after;
      let failedReads = 0;
      let mustRead = true;
      // The highest position a read or a notice said is written: above `position`, a notice is due shortly.
      let written = 0;
      // Since when `written` has been above `position`: past PENDING_COMMIT_TIMEOUT_MS, read.
      let shortSince: number | null = null;
      while (!closed) {
        if (mustRead) {
          shortSince = null;
          // Notices of what this read will see need no second look; later ones stay in the inbox.
          inbox.clear();
          let batch: RecordedEvent[];
          let writtenHead: number;
          try {
            ({ events: batch, writtenHead } = await store.readPage(position, batchSize));
          } catch (error) {
            if (closed) return;
            // Database unreachable (restart, failover): keep trying; the caller sees a pause, not an end. Said
            // at the first failure and then once a minute, so a subscription that never recovers is noticed.
            if (failedReads++ % READ_RETRIES_PER_LOG === 0) {
              log?.warn({ err: error, after: position, failedReads }, 'event subscription cannot read $all; retrying every 0.5 s');
            }
            await sleep(READ_RETRY_MS, wake.signal);
            continue;
          }
          if (failedReads > 0) {
            log?.info({ after: position, failedReads }, 'event subscription reads $all again');
            failedReads = 0;
          }
          for (const event of batch) {
            if (closed) return;
            position = event.position;
            yield event;
          }
          if (batch.length === batchSize) continue;
          written = Math.max(written, writtenHead);
          mustRead = false;
        }
        // Written but not readable yet (its append, or an older one, is still committing), or written by this
        // process: its notice is due. Waiting for it instead of polling matters on a busy log, where some append
        // is nearly always in flight; the timeout covers an appender that died between commit and notice.
        if (written <= position) shortSince = null;
        else shortSince ??= Date.now();
        const waitMs = shortSince === null ? 5_000 : Math.max(0, shortSince + PENDING_COMMIT_TIMEOUT_MS - Date.now());
        // A LISTEN connection lost (PostgreSQL restarted) is opened again here; meanwhile the timeouts read.
        store.notifier.listen();
        const noticed = await inbox.wait(waitMs, wake.signal);
        if (closed) return;
        if (!noticed) {
          mustRead = true;
          continue;
        }
        for (const notice of inbox.take()) {
          if ('read' in notice) mustRead = true;
          else if ('written' in notice) written = Math.max(written, notice.written);
          else {
            // An up-to-date subscriber takes the append's events from its notice, as long as each follows the
            // last applied: a gap is an append that has not committed yet (or never will), which a read settles.
            for (const event of notice.events) {
              if (closed) return;
              if (event.position <= position) continue;
              if (event.position !== position + 1) {
                mustRead = true;
                break;
              }
              position = event.position;
              yield event;
            }
            written = Math.max(written, notice.events[notice.events.length - 1].position);
          }
        }
      }
    };
    const generator = iterator();
    return {
      [Symbol.asyncIterator]: () => generator,
      async close() {
        closed = true;
        inbox.close();
        wake.abort();
        await generator.return(undefined);
      },
    };
  }

  async close(): Promise<void> {
    await this.notifier.close();
  }
}

/** Waits `ms`, or less if aborted or `until` settles first; leaves no timer or listener behind. */
function sleep(ms: number, signal: AbortSignal, until?: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    until?.then(done, done);
  });
}
