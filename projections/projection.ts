import type pg from 'pg';
import type { RecordedEvent } from '../application/ports/event-store.js';

/** Anything that runs SQL: a pool client inside the batch transaction. */
export type Sql = Pick<pg.ClientBase, 'query'>;

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
   * the caller discards the outputs, so the batch path need not compute them.
   */
  applyBatch?(sql: Sql, events: RecordedEvent[], options?: { outputs?: boolean }): Promise<Output[] | void>;
  /** Optional: how many events the batch path likes per call during a rebuild (when more is faster). */
  readonly rebuildBatchSize?: number;
  afterCommit?(outputs: Output[]): void | Promise<void>;
}
