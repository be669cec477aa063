import type pg from 'pg';
import type { RecordedDerbelEvent } from './recorded-event.js';

/** Anything that runs parameterized SQL: a client inside the batch transaction, or a statement pipeline. */
export interface Sql {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

export interface ApplyOptions {
  /** False when nobody will use the outputs (a rebuild): the projection need not compute them. */
  outputs?: boolean;
  /** What a leader remembers of this projection's rows between batches (see `LeaderMemory`). */
  memory?: LeaderMemory;
  /**
   * The projection calls it once it has issued its last statement for these events, before awaiting that
   * statement's answer (`writeInOrder`, `lastQuery`): the runner then sends the checkpoints and the commit in
   * the same round trip. After it, nothing but those statements' own failures may fail the call. A projection
   * that never calls it costs its batch one more round trip, nothing else.
   */
  issued?: () => void;
}

export interface Statement {
  text: string;
  values: unknown[];
}

/** The statement `make` builds when there are `items` to write, or null (which `writeInOrder` skips). */
export function statementFor(items: readonly unknown[], make: () => Statement): Statement | null {
  return items.length === 0 ? null : make();
}

/** Issues a projection's last statement for a batch, and says so (`ApplyOptions.issued`). */
export function lastQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  sql: Sql,
  options: ApplyOptions | undefined,
  { text, values }: Statement,
): Promise<pg.QueryResult<R>> {
  const answer = sql.query<R>(text, values);
  options?.issued?.();
  return answer;
}

/** A projection's writes for a batch, one after the other; the last one says it is the last. */
export async function writeInOrder(sql: Sql, options: ApplyOptions | undefined, statements: ReadonlyArray<Statement | null>) {
  const writes = statements.filter((statement) => statement !== null);
  for (const [i, statement] of writes.entries())
    await (i === writes.length - 1 ? lastQuery(sql, options, statement) : sql.query(statement.text, statement.values));
}

/**
 * One read model: the tables it owns and how events change them. `apply` takes the events in log order
 * and runs inside the transaction that also moves the checkpoint; "per event" is a batch of one. It throws
 * `MalformedEventError` for an event it cannot apply; the runtime then parks that event for this projection
 * and applies the others. What it returns goes to the runner's subscribers once the transaction committed.
 */
export interface Projection<Output = never> {
  readonly name: string;
  /** Tables owned by this projection, in an order safe for TRUNCATE and for comparing dumps. */
  readonly tables: readonly string[];
  apply(sql: Sql, events: readonly RecordedDerbelEvent[], options?: ApplyOptions): Promise<Output[] | void>;
  /** Optional: how many events it likes per call during a rebuild (when more is faster). */
  readonly rebuildBatchSize?: number;
  /**
   * Optional: `apply` reads its tables only through their primary keys and unique constraints. A rebuild then
   * builds the other indexes (a search's GIN, a listing's order) in bulk once the replay is done, instead of
   * keeping them up to date row by row.
   */
  readonly readsOnlyByKey?: boolean;
  /** Optional: the events it reads; a batch with none of them is not handed to it (no savepoint, no call). */
  handles?(event: RecordedDerbelEvent): boolean;
}

/**
 * What a projection may remember between batches while one runner leads: rows as it last wrote or read
 * them, so the next batch need not read them again. The leader is the only writer of its tables, so the
 * memory stays true as long as every batch commits: the runner gives each leadership a new, empty one and
 * clears it when a batch fails (rolled-back changes may be in it). Bounded: what it forgets is read again.
 */
export type LeaderMemory = Pick<Map<string, unknown>, 'get' | 'set' | 'clear'>;
