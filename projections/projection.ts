import type pg from 'pg';
import type { RecordedEvent } from '../application/ports/event-store.js';

/** Anything that runs parameterized SQL: a client inside the batch transaction, or a statement pipeline. */
export interface Sql {
  query<R extends pg.QueryResultRow = any>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/**
 * One read model: the tables it owns and how each event changes them. `apply` runs inside the batch
 * transaction that also moves the checkpoint; whatever it returns is handed to `afterCommit` once the
 * transaction has committed (e.g. the feed pushes its new entries to sockets).
 */
export interface Projection<Output = never> {
  readonly name: string;
  /** Tables owned by this projection, in an order safe for TRUNCATE and for comparing dumps. */
  readonly tables: readonly string[];
  apply(sql: Sql, event: RecordedEvent): Promise<Output[] | void>;
  /**
   * Optional: the same change as `apply` on each event in order, in a few multi-row statements.
   * Used by rebuilds; must leave the tables exactly as the per-event path would. With `outputs: false`
   * the caller discards the outputs, so the batch path need not compute them. With `memory`, it may keep
   * what it read and wrote there for the next batch instead of reading it again.
   */
  applyBatch?(sql: Sql, events: RecordedEvent[], options?: { outputs?: boolean; memory?: LeaderMemory }): Promise<Output[] | void>;
  /** Optional: how many events the batch path likes per call during a rebuild (when more is faster). */
  readonly rebuildBatchSize?: number;
  afterCommit?(outputs: Output[]): void | Promise<void>;
}

/**
 * What a projection's batch path may remember between batches while one runner leads: rows as it last wrote
 * or read them, so the next batch need not read them again. The leader is the only writer of its tables, so
 * the memory stays true as long as every batch commits: the runner gives each leadership a new, empty one
 * and drops it when a batch fails (rolled-back changes may be in it). Bounded: what it forgets is read again.
 */
export type LeaderMemory = Pick<Map<string, unknown>, 'get' | 'set' | 'clear'>;
