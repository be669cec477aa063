import type pg from 'pg';
import { afterAll, beforeAll, expect } from 'vitest';
import { createPool } from '../../infrastructure/database/pool.js';
import { applyOrPark } from '../../infrastructure/projections/apply-or-park.js';
import { listParkedEvents, type ParkedEvent } from '../../infrastructure/projections/parked-events.js';
import type { LeaderMemory, Projection } from '../../projections/projection.js';
import type { RecordedDerbelEvent } from '../../projections/recorded-event.js';
import { createMigratedTestDatabase, type TestDatabase } from './database.js';

/**
 * Given/when/then for a read model on real PostgreSQL (after Emmett's `PostgreSQLProjectionSpec`):
 *
 *   const db = useProjectionDatabase();                 // one migrated database per test file
 *   const log = new TestLog();                          // positions, revisions, timestamps (recorded-events.ts)
 *   await projectionSpec(messagesProjection, db)
 *     .given(contactAdded, sent)
 *     .when(edited)
 *     .then(expectRows('messages', [...]), expectParked());
 *
 * Each spec starts from empty tables (the projection's and `projection_parked_events`). The given events are
 * applied as one batch through `applyOrPark`, in a transaction, like a runner batch; then the when events, in
 * every batching of `BATCHINGS` — one batch, and batches of one with and without the leader's memory — each
 * from empty tables again. The rule they check: the fold is the one definition, so how the log is cut into
 * batches never changes the outcome. Every expectation must hold after each batching, and beyond them the
 * tables, the parked events and the outputs must be the same after every batching.
 *
 * A spec that does not say `expectParked(...)` expects that nothing was parked.
 */

export interface ProjectionDatabase {
  readonly pool: pg.Pool;
}

/** A migrated database of its own for the calling test file (created before its tests, dropped after). */
export function useProjectionDatabase(): ProjectionDatabase {
  let db: TestDatabase | undefined;
  let pool: pg.Pool | undefined;
  beforeAll(async () => {
    db = await createMigratedTestDatabase('derbel_projspec');
    pool = createPool(db.url, 4);
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });
  return {
    get pool() {
      if (!pool) throw new Error('useProjectionDatabase(): the database exists only inside tests');
      return pool;
    },
  };
}

/** How the when events are cut into runner batches. */
export interface Batching {
  readonly name: string;
  split(events: readonly RecordedDerbelEvent[]): RecordedDerbelEvent[][];
  /** Whether the batches share a leader's memory (from the given on), as one leadership's batches do. */
  readonly memory: boolean;
}

export const BATCHINGS: readonly Batching[] = [
  // As after a change of leader: nothing remembered, the batch reads what it needs.
  { name: 'one batch', split: (events) => [[...events]], memory: false },
  // One leadership applying the given and then each event: rows come from its memory, not from the tables.
  { name: 'batches of one, with the leader memory', split: (events) => events.map((e) => [e]), memory: true },
  // Each event reads what it needs back from the tables (as the parking path and small rebuild batches do).
  { name: 'batches of one', split: (events) => events.map((e) => [e]), memory: false },
];

/** What one batching of a spec produced, for the expectations to check. */
export interface SpecRun<Output> {
  readonly batching: string;
  readonly pool: pg.Pool;
  readonly projection: Projection<Output>;
  readonly given: readonly RecordedDerbelEvent[];
  readonly when: readonly RecordedDerbelEvent[];
  /** What the when's batches returned (for the runner's subscribers, e.g. the socket push), in order. */
  readonly outputs: readonly Output[];
  /** Events of the when that `applyOrPark` reported parked. */
  readonly parked: ReadonlyArray<{ event: RecordedDerbelEvent; error: unknown }>;
}

export interface Expectation<Output = unknown> {
  /** Set by `expectParked`: a spec without one expects nothing parked. */
  readonly parking?: true;
  check(run: SpecRun<Output>): void | Promise<void>;
}

type Then<Output> = Expectation<Output> | ((run: SpecRun<Output>) => void | Promise<void>);

export function projectionSpec<Output>(
  projection: Projection<Output>,
  db: ProjectionDatabase,
  options: { batchings?: readonly Batching[] } = {},
) {
  const batchings = options.batchings ?? BATCHINGS;
  return {
    given(...given: RecordedDerbelEvent[]) {
      return {
        when(...when: RecordedDerbelEvent[]) {
          return {
            async then(...expectations: Then<Output>[]): Promise<void> {
              inLogOrder([...given, ...when]);
              const checks = expectations.map((e) => (typeof e === 'function' ? { check: e } : e));
              if (!checks.some((e) => e.parking)) checks.push(expectParked());
              let first: { batching: string; state: Awaited<ReturnType<typeof snapshot>> } | undefined;
              for (const batching of batchings) {
                const run = await runSpec(db.pool, projection, given, when, batching);
                for (const expectation of checks) await named(batching.name, () => expectation.check(run));
                const state = await snapshot(run);
                if (!first) first = { batching: batching.name, state };
                else await named(batching.name, () => expect(state, `the same outcome as "${first!.batching}"`).toEqual(first!.state));
              }
            },
          };
        },
      };
    },
  };
}

function inLogOrder(events: readonly RecordedDerbelEvent[]) {
  for (let i = 1; i < events.length; i++) {
    if (!(events[i].position > events[i - 1].position)) {
      throw new Error(
        `spec events are not in log order: position ${events[i].position} (${events[i].type}) after ${events[i - 1].position}`,
      );
    }
  }
}

async function named(batching: string, check: () => void | Promise<void>) {
  try {
    await check();
  } catch (error) {
    if (error instanceof Error) error.message = `[${batching}] ${error.message}`;
    throw error;
  }
}

async function runSpec<Output>(
  pool: pg.Pool,
  projection: Projection<Output>,
  given: readonly RecordedDerbelEvent[],
  when: readonly RecordedDerbelEvent[],
  batching: Batching,
): Promise<SpecRun<Output>> {
  await pool.query(`TRUNCATE ${[...projection.tables, 'projection_parked_events'].join(', ')}`);
  const memory: LeaderMemory | undefined = batching.memory ? new Map<string, unknown>() : undefined;
  if (given.length > 0) await applyBatch(pool, projection, given, memory);
  const outputs: Output[] = [];
  const parked: Array<{ event: RecordedDerbelEvent; error: unknown }> = [];
  for (const batch of batching.split(when)) {
    if (batch.length === 0) continue;
    const applied = await applyBatch(pool, projection, batch, memory);
    outputs.push(...applied.outputs);
    parked.push(...applied.parked);
  }
  return { batching: batching.name, pool, projection, given, when, outputs, parked };
}

/** One runner batch: its own transaction, events the projection cannot apply parked. */
async function applyBatch<Output>(
  pool: pg.Pool,
  projection: Projection<Output>,
  events: readonly RecordedDerbelEvent[],
  memory?: LeaderMemory,
) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    try {
      const applied = await applyOrPark(client, projection, events, { memory, outputs: true });
      await client.query('COMMIT');
      return applied;
    } catch (error) {
      // As the runner does: what the failed batch remembered may never have been written.
      memory?.clear();
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  } finally {
    client.release();
  }
}

/** Everything a batching must not change: the tables' rows, what was parked, and the outputs. */
async function snapshot<Output>(run: SpecRun<Output>) {
  const tables: Record<string, string[]> = {};
  for (const table of run.projection.tables) {
    const { rows } = await run.pool.query<{ row: string }>(`SELECT to_jsonb(t)::text AS row FROM ${table} t ORDER BY 1`);
    tables[table] = rows.map((r) => r.row);
  }
  const parked = (await listParkedEvents(run.pool)).map(({ parkedAt, ...rest }) => rest);
  return { tables, parked, outputs: sortedOutputs(run.outputs) };
}

// ---------------------------------------------------------------------------------------------------------
// Expectations

/** Rows as a test writes them: bigint as a number, timestamptz as an ISO string, everything else as pg reads it. */
function normalize(result: pg.QueryResult): Record<string, unknown>[] {
  const INT8 = 20;
  const TIMESTAMPTZ = 1184;
  return result.rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const field of result.fields) {
      const value = row[field.name];
      if (value === null) out[field.name] = null;
      else if (field.dataTypeID === INT8) out[field.name] = Number(value);
      else if (field.dataTypeID === TIMESTAMPTZ) out[field.name] = (value as Date).toISOString();
      else out[field.name] = value;
    }
    return out;
  });
}

/** A stable JSON text (object keys sorted), to compare rows in any order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

const inAnyOrder = <T>(rows: readonly T[]) =>
  [...rows].sort((a, b) => (canonical(a) < canonical(b) ? -1 : canonical(a) > canonical(b) ? 1 : 0));

/**
 * The table holds exactly these rows, in any order: every column (bigint as number, timestamptz as an ISO
 * string in UTC, uuid as text, jsonb as its value).
 */
export function expectRows(table: string, rows: readonly Record<string, unknown>[]): Expectation<any> {
  return {
    async check({ pool }) {
      const actual = normalize(await pool.query(`SELECT * FROM ${table}`));
      expect(inAnyOrder(actual), `rows of ${table}`).toEqual(inAnyOrder(rows));
    },
  };
}

/** The query answers exactly these rows, in its own order (give it an ORDER BY), normalized as `expectRows`. */
export function expectQuery(text: string, values: unknown[], rows: readonly Record<string, unknown>[]): Expectation<any> {
  return {
    async check({ pool }) {
      const actual = normalize(await pool.query(text, values));
      expect(actual, text).toEqual(rows);
    },
  };
}

export interface ExpectedParking {
  event: RecordedDerbelEvent;
  /** `MALFORMED_EVENT`, a SQLSTATE (e.g. `23505`) or an error name, or a pattern of them; default `MALFORMED_EVENT`. */
  code?: string | RegExp;
  /** What the recorded error says. */
  error?: string | RegExp;
}

/**
 * Exactly these events (given or when) are parked, for this projection and no other, each with its code and
 * error; `expectParked()` says nothing is.
 */
export function expectParked(...parked: ExpectedParking[]): Expectation<any> {
  return {
    parking: true,
    async check(run) {
      const actual = await listParkedEvents(run.pool);
      const expected = [...parked].sort((a, b) => a.event.position - b.event.position);
      expect(
        actual.map((p: ParkedEvent) => ({
          projection: p.projection,
          position: p.position,
          eventId: p.eventId,
          streamId: p.streamId,
          eventType: p.eventType,
          errorCode: p.errorCode,
        })),
        'parked events',
      ).toEqual(
        expected.map(({ event, code }) => ({
          projection: run.projection.name,
          position: event.position,
          eventId: event.id,
          streamId: event.streamId,
          eventType: event.type,
          errorCode: code instanceof RegExp ? expect.stringMatching(code) : (code ?? 'MALFORMED_EVENT'),
        })),
      );
      expected.forEach(({ error }, i) => {
        if (error !== undefined) expect(actual[i].error, `error of the event parked at ${actual[i].position}`).toMatch(error);
      });
      const whenParked = run.parked.map((p) => p.event.position);
      const expectedWhen = expected.filter((p) => run.when.includes(p.event)).map((p) => p.event.position);
      expect(whenParked, 'parked reported by applyOrPark').toEqual(expectedWhen);
    },
  };
}

function sortedOutputs(outputs: readonly unknown[]) {
  const position = (o: unknown) =>
    o && typeof o === 'object' && typeof (o as { position?: unknown }).position === 'number' ? (o as { position: number }).position : 0;
  return [...outputs].sort((a, b) => position(a) - position(b) || (canonical(a) < canonical(b) ? -1 : canonical(a) > canonical(b) ? 1 : 0));
}

/**
 * The when's batches returned exactly these outputs: in log order (by `position`, when outputs have one),
 * in any order among those of one position.
 */
export function expectOutputs<Output>(outputs: readonly Output[]): Expectation<Output> {
  return {
    check(run) {
      const positions = run.outputs.map((o) => (o as { position?: number }).position ?? 0);
      expect(positions, 'outputs in log order').toEqual([...positions].sort((a, b) => a - b));
      expect(sortedOutputs(run.outputs), 'outputs').toEqual(sortedOutputs(outputs));
    },
  };
}
