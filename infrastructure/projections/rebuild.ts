import pg from 'pg';
import { ADVISORY_LOCKS } from '../database/advisory-locks.js';
import type { EventStore, RecordedEvent } from '../../application/ports/event-store.js';
import { asDerbelEvents } from '../../projections/recorded-event.js';
import { applyOrPark } from './apply-or-park.js';
import type { Projection, Sql } from '../../projections/projection.js';
import { preparedSql } from './prepared-sql.js';
import { buildShadowIndexes, ensureShadowSchema, prepareShadow, saveShadowProgress, SHADOW_SCHEMA } from './rebuild-shadow.js';
import { swapInShadow } from './rebuild-swap.js';
import { SQLSTATE, sqlState } from '../database/sqlstate.js';

const RUNNER_LOCK_NAMESPACE = ADVISORY_LOCKS.projectionRunner;
const REBUILD_LOCK_NAMESPACE = ADVISORY_LOCKS.projectionRebuild;
/** Events read from the log at a time, and applied at a time unless a projection prefers more. */
export const DEFAULT_BATCH_SIZE = 10_000;

export interface RebuildOptions {
  connectionString: string;
  /** Where events are read from (with upcasters applied). */
  store: EventStore;
  projections: Projection<unknown>[];
  batchSize?: number;
  /** Aborting stops after the batch in progress; the saved progress lets the next run resume. */
  signal?: AbortSignal;
  /** Apply each event as a batch of one (slow; proves a batched fold equals its per-event form). */
  perEvent?: boolean;
  /** How long the swap waits for the live tables' locks before giving up (and retrying). */
  lockTimeoutMs?: number;
  onProgress?(progress: RebuildProgress): void;
}

export interface RebuildProgress {
  phase: 'catching-up' | 'swapping' | 'swapped';
  projections: string[];
  /** Where this run started replaying (the smallest saved position on a resumed rebuild). */
  startPosition: number;
  position: number;
  /** The position the replay is heading for: the log head, or the live runner's checkpoint while one runs. */
  target: number;
  /** Events replayed by this run. */
  applied: number;
  eventsPerSecond: number;
  etaSeconds: number | null;
}

export interface RebuildResult {
  status: 'swapped' | 'interrupted';
  projections: Array<{ name: string; resumedFrom: number | null; position: number }>;
  applied: number;
  seconds: number;
  eventsPerSecond: number;
}

export class RebuildBusyError extends Error {
  constructor(readonly projection: string) {
    super(`A rebuild of ${projection} is already running`);
    this.name = 'RebuildBusyError';
  }
}

interface Shadow {
  projection: Projection<unknown>;
  client: pg.Client;
  /** The client as the projection's statements see it: each prepared once (see prepared-sql.ts). */
  sql: Sql;
  /** Position of the last committed batch. */
  position: number;
  resumedFrom: number | null;
  /** Events read but not applied yet, and how many to gather before applying them in one batch. */
  queue: RecordedEvent[];
  flushAt: number;
  /** The batch being applied, if any (resolved otherwise). */
  applying: Promise<void>;
}

/**
 * Replays the log into shadow copies of the projections' tables while the live ones keep serving, then
 * swaps each in atomically (see rebuild-swap.ts). All projections share one pass over the log; each commits
 * its batch together with its own saved position, so an interrupted rebuild resumes where it stopped.
 */
export async function rebuildProjections(options: RebuildOptions): Promise<RebuildResult> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  // An explicit batch size applies to every projection; otherwise each may ask for larger batches.
  const flushAt = (projection: Projection<unknown>) => options.batchSize ?? Math.max(batchSize, projection.rebuildBatchSize ?? 0);
  const started = performance.now();
  const shadows: Shadow[] = [];
  try {
    for (const projection of options.projections) shadows.push(await openShadow(options.connectionString, projection, flushAt(projection)));
    const names = shadows.map((s) => s.projection.name);
    const startPosition = Math.min(...shadows.map((s) => s.position));
    let applied = 0;
    const report = (phase: RebuildProgress['phase'], position: number, target: number) => {
      const seconds = (performance.now() - started) / 1000;
      const eventsPerSecond = seconds > 0 ? applied / seconds : 0;
      const remaining = Math.max(0, target - position);
      options.onProgress?.({
        phase,
        projections: names,
        startPosition,
        position,
        target,
        applied,
        eventsPerSecond,
        etaSeconds: eventsPerSecond > 0 ? remaining / eventsPerSecond : null,
      });
    };

    const liveTarget = () => liveRunnerBound(shadows[0].client, names, options.store);
    let position = startPosition;
    let target = await liveTarget();
    report('catching-up', position, target);
    // The next batch is read while the current one is applied; a read left behind by an interruption is
    // marked handled so its late failure (pool already closed) cannot crash the process.
    const readAfter = (after: number) => {
      const read = options.store.readAll({ after, limit: batchSize });
      read.catch(() => {});
      return read;
    };
    let pending: Promise<RecordedEvent[]> | null = readAfter(position);
    while (pending) {
      const [events, bound]: [RecordedEvent[], number] = await Promise.all([pending, liveTarget()]);
      target = bound;
      const usable: RecordedEvent[] = events.filter((e) => e.position <= target);
      if (options.signal?.aborted || usable.length === 0) break;
      const last = usable[usable.length - 1].position;
      pending = usable.length === batchSize ? readAfter(last) : null;
      // Each projection applies its batches in order, but not in step with the others: a projection busy
      // with a large batch holds up the reading only once it falls a whole batch behind.
      await Promise.all(shadows.map((shadow) => schedule(shadow, usable, options.perEvent ?? false, false)));
      position = last;
      applied += usable.length;
      report('catching-up', position, target);
    }
    await Promise.all(shadows.map((shadow) => shadow.applying));
    if (options.signal?.aborted) return result('interrupted');
    await Promise.all(shadows.map((shadow) => schedule(shadow, [], options.perEvent ?? false, true)));
    await Promise.all(shadows.map((shadow) => shadow.applying));
    await Promise.all(shadows.map((shadow) => buildShadowIndexes(shadow.client, shadow.projection)));

    report('swapping', position, target);
    for (const shadow of shadows) {
      const swapped = await withLockRetries(() =>
        swapInShadow(
          shadow.client,
          options.store,
          shadow.projection,
          shadow.position,
          (events) =>
            applyEvents(
              shadow,
              events.filter((e) => e.position > shadow.position),
              options.perEvent ?? false,
            ),
          { lockTimeoutMs: options.lockTimeoutMs ?? 5_000, batchSize },
        ),
      );
      shadow.position = swapped.position;
    }
    report('swapped', Math.max(...shadows.map((s) => s.position)), target);
    return result('swapped');

    function result(status: RebuildResult['status']): RebuildResult {
      const seconds = (performance.now() - started) / 1000;
      return {
        status,
        projections: shadows.map((s) => ({ name: s.projection.name, resumedFrom: s.resumedFrom, position: s.position })),
        applied,
        seconds,
        eventsPerSecond: seconds > 0 ? applied / seconds : 0,
      };
    }
  } finally {
    await Promise.allSettled(shadows.map((s) => s.applying));
    await Promise.all(shadows.map((s) => s.client.end().catch(() => {})));
  }
}

async function openShadow(connectionString: string, projection: Projection<unknown>, flushAt: number): Promise<Shadow> {
  const client = new pg.Client({ connectionString, application_name: `derbel rebuild ${projection.name}` });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', [
      REBUILD_LOCK_NAMESPACE,
      projection.name,
    ]);
    if (!rows[0].locked) throw new RebuildBusyError(projection.name);
    await ensureShadowSchema(client);
    // The projection's unqualified table names now resolve to the shadow copies; nothing else is reachable.
    await client.query(`SET search_path TO ${SHADOW_SCHEMA}`);
    // A crash can only lose whole batches together with their saved position, which are simply replayed.
    await client.query('SET synchronous_commit TO off');
    // Batch statements join and sort tens of thousands of rows; let them do it in memory.
    await client.query(`SET work_mem TO '64MB'`);
    const { position, resumed } = await prepareShadow(client, projection);
    return {
      projection,
      client,
      sql: await preparedSql(client),
      position,
      resumedFrom: resumed ? position : null,
      queue: [],
      flushAt,
      applying: Promise.resolve(),
    };
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
}

/**
 * Queues the events the shadow lacks; once it has gathered a batch (or on `flush`), starts applying it after
 * the batch in progress, and resolves when that earlier batch is done (so at most one waits behind it).
 */
async function schedule(shadow: Shadow, events: RecordedEvent[], perEvent: boolean, flush: boolean): Promise<void> {
  const queued = shadow.queue.length > 0 ? shadow.queue[shadow.queue.length - 1].position : shadow.position;
  for (const event of events) if (event.position > queued) shadow.queue.push(event);
  if (shadow.queue.length === 0 || (!flush && shadow.queue.length < shadow.flushAt)) return;
  const batch = shadow.queue;
  shadow.queue = [];
  const previous = shadow.applying;
  shadow.applying = previous.then(() => applyInTransaction(shadow, batch, perEvent));
  shadow.applying.catch(() => {});
  await previous;
}

async function applyInTransaction(shadow: Shadow, mine: RecordedEvent[], perEvent: boolean): Promise<void> {
  await shadow.client.query('BEGIN');
  try {
    await applyEvents(shadow, mine, perEvent);
    const last = mine[mine.length - 1].position;
    await saveShadowProgress(shadow.client, shadow.projection.name, last);
    await shadow.client.query('COMMIT');
    shadow.position = last;
  } catch (error) {
    await shadow.client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/** Events the projection cannot apply are parked, in the shadow's own parked table (moved in at the swap). */
async function applyEvents(shadow: Shadow, events: RecordedEvent[], perEvent: boolean): Promise<void> {
  if (events.length === 0) return;
  await applyOrPark(shadow.sql, shadow.projection, asDerbelEvents(events), { outputs: false }, perEvent);
}

/**
 * How far the replay may go before swapping: while a live runner holds a projection, no further than its
 * checkpoint (the swap then joins the runner without a restart, so it keeps pushing every event it applies);
 * otherwise the head of the log.
 */
async function liveRunnerBound(client: pg.Client, names: string[], store: EventStore): Promise<number> {
  const { rows } = await client.query<{ position: string | null }>(
    `SELECT min(c.position) AS position FROM public.projection_checkpoints c
     WHERE c.name = ANY($1) AND EXISTS (
       SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND l.granted AND l.classid = $2 AND l.objid = hashtext(c.name)::oid AND l.objsubid = 2)`,
    [names, RUNNER_LOCK_NAMESPACE],
  );
  return rows[0].position === null ? store.headPosition() : Number(rows[0].position);
}

async function withLockRetries<T>(attempt: () => Promise<T>, tries = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      // 55P03: lock_timeout (a long query on the live tables); the shadow is intact, so just try again.
      if (sqlState(error) !== SQLSTATE.lockNotAvailable || i >= tries) throw error;
      await new Promise((r) => setTimeout(r, 200 * i));
    }
  }
}
