import { LRUCache } from 'lru-cache';
import pg from 'pg';
import type { EventStore, RecordedEvent, Subscription } from '../../application/ports/event-store.js';
import type { LeaderMemory, Projection, Sql } from '../../projections/projection.js';
import { asDerbelEvents, type RecordedDerbelEvent } from '../../projections/recorded-event.js';
import { ADVISORY_LOCKS } from '../database/advisory-locks.js';
import type { Log } from '../observability/log.js';
import { StatementPipeline } from '../database/statement-pipeline.js';
import { isEventFault } from './apply-errors.js';
import { applyOrPark } from './apply-or-park.js';
import { batches } from './batches.js';

export type RunnerState = 'stopped' | 'standby' | 'running';

export interface RunnerOptions {
  store: EventStore;
  connectionString: string;
  nodeId: string;
  batchSize?: number;
  /** How often a standby node tries to take over. */
  standbyRetryMs?: number;
  /** Where failures go: a failed batch, a parked event, a subscriber's lost delivery. */
  log: Log;
  /** Called (and awaited) each time this node becomes the leader, before it applies anything. */
  onLeading?: () => void | Promise<void>;
}

/** Someone who acts on what a projection wrote, once it is committed (e.g. the socket push of feed entries). */
export interface RunnerSubscriber<Output = unknown> {
  /** Named in logs when it fails. */
  name: string;
  projection: string;
  deliver(outputs: Output[]): void | Promise<void>;
}

const LOCK_NAMESPACE = ADVISORY_LOCKS.projectionRunner;

/** Contacts each projection may remember while leading (a few tens of MB at most); others are read again. */
const MEMORY_ENTRIES = 20_000;

/**
 * Runs a group of projections on at most one node. The leader holds every projection's advisory lock,
 * reads `$all` once for all of them from the lowest checkpoint, and applies each batch to every projection
 * in one transaction that also moves their checkpoints; the others stand by and take over when the
 * holder's connection dies. The transaction runs on the locks' own connection and re-reads the checkpoints
 * `FOR UPDATE`, so a leader that lost its locks (or whose projection a rebuild moved) cannot commit.
 *
 * No event can stop it: a batch that fails because of an event is applied again with that event parked
 * for the projection that refused it (`applyOrPark`); other failures end the leadership and are retried.
 *
 * Sharing the read and the transaction is what keeps a busy log cheap: round trips to PostgreSQL cost more
 * than most statements' work, so a batch takes as few as it can (see BENCHMARKS.md).
 */
export class ProjectionRunner {
  state: RunnerState = 'stopped';
  readonly projections: readonly Projection<unknown>[];
  /** Each projection's checkpoint as this leader last committed it. */
  readonly positions = new Map<string, number>();
  private readonly generations = new Map<string, number>();
  private readonly subscribers: RunnerSubscriber[] = [];
  private stopped = true;
  private client: pg.Client | null = null;
  private subscription: Subscription | null = null;
  private loop: Promise<void> | null = null;
  private wakeStandby: (() => void) | null = null;

  constructor(
    projections: Projection<unknown> | readonly Projection<unknown>[],
    private readonly options: RunnerOptions,
  ) {
    this.projections = Array.isArray(projections) ? projections : [projections as Projection<unknown>];
    if (this.projections.length === 0) throw new Error('a projection runner needs at least one projection');
  }

  /** The lowest checkpoint of the group: everything up to it is applied by every projection. */
  get position(): number {
    return Math.min(...this.projections.map((p) => this.positions.get(p.name) ?? 0));
  }

  subscribe<Output>(subscriber: RunnerSubscriber<Output>): void {
    if (!this.projections.some((p) => p.name === subscriber.projection))
      throw new Error(`no projection ${subscriber.projection} in this runner`);
    this.subscribers.push(subscriber as RunnerSubscriber);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.state = 'standby';
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeStandby?.();
    await this.subscription?.close().catch(() => {});
    await this.client?.end().catch(() => {});
    await this.loop;
    this.state = 'stopped';
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (await this.acquireLeadership()) await this.lead();
      } catch (error) {
        if (!this.stopped) this.options.log.error({ err: error, projections: this.names() }, 'projection runner failed; retrying');
      } finally {
        this.state = this.stopped ? 'stopped' : 'standby';
        const client = this.client;
        this.client = null;
        // Ending the connection releases every lock it took.
        await client?.end().catch(() => {});
      }
      if (!this.stopped) await this.pause(this.options.standbyRetryMs ?? 1_000);
    }
  }

  private names(): string[] {
    return this.projections.map((p) => p.name);
  }

  /** All of the group's locks or none: a node holding only some would block the others forever. */
  private async acquireLeadership(): Promise<boolean> {
    // Bounded, so that a stop() waiting for this loop is not held by a database that does not answer.
    const client = new pg.Client({ connectionString: this.options.connectionString, connectionTimeoutMillis: 10_000 });
    client.on('error', () => this.subscription?.close().catch(() => {}));
    await client.connect();
    // Only now may stop() end it: pg never settles a connect() that end() interrupted, and stop() awaits this loop.
    this.client = client;
    if (this.stopped) return false;
    // In one statement: the locks it got are given back before it ends when it did not get them all, so no other
    // node (nor a look at pg_locks) ever sees a node that stands by holding some of a group's locks.
    const { rows } = await client.query<{ all_locked: boolean }>(
      `WITH tried AS MATERIALIZED (
         SELECT name, pg_try_advisory_lock($1, hashtext(name)) AS locked FROM unnest($2::text[]) WITH ORDINALITY AS n(name, i) ORDER BY i
       ), verdict AS MATERIALIZED (SELECT coalesce(bool_and(locked), false) AS all_locked FROM tried)
       SELECT v.all_locked,
              (SELECT count(*) FILTER (WHERE CASE WHEN t.locked AND NOT v.all_locked THEN pg_advisory_unlock($1, hashtext(t.name)) ELSE false END)
               FROM tried t) AS released
       FROM verdict v`,
      [LOCK_NAMESPACE, this.names()],
    );
    return rows[0].all_locked;
  }

  private async lead(): Promise<void> {
    const client = this.client!;
    const names = this.names();
    await client.query(
      'INSERT INTO projection_checkpoints (name, position) SELECT name, 0 FROM unnest($1::text[]) AS name ON CONFLICT DO NOTHING',
      [names],
    );
    const { rows } = await client.query<{ name: string; position: string; generation: string }>(
      'SELECT name, position, generation FROM projection_checkpoints WHERE name = ANY($1)',
      [names],
    );
    this.positions.clear();
    for (const row of rows) {
      this.positions.set(row.name, Number(row.position));
      this.generations.set(row.name, Number(row.generation));
    }
    this.state = 'running';
    this.options.log.info({ projections: names, position: this.position, node: this.options.nodeId }, 'projection leader');
    await this.options.onLeading?.();
    const batchSize = this.options.batchSize ?? 500;
    // Statements prepared on this leadership's connection.
    const prepared = new Set<string>();
    // New for each leadership; cleared whenever a batch fails.
    const memories = new Map(this.projections.map((p) => [p, new LRUCache<string, object>({ max: MEMORY_ENTRIES }) as LeaderMemory]));
    const subscription = this.options.store.subscribeToAll({ after: this.position, batchSize });
    this.subscription = subscription;
    // Asked to stop before the subscription existed (e.g. during onLeading): stop() could not close it.
    if (this.stopped) await subscription.close();
    try {
      for await (const batch of batches(subscription, batchSize)) {
        if (this.stopped) break;
        await this.applyBatch(client, prepared, asDerbelEvents(batch), memories);
      }
    } finally {
      this.subscription = null;
      await subscription.close().catch(() => {});
    }
  }

  private async applyBatch(
    client: pg.Client,
    prepared: Set<string>,
    batch: readonly RecordedDerbelEvent[],
    memories: Map<Projection<unknown>, LeaderMemory>,
  ) {
    let outputs: Array<unknown[]>;
    try {
      outputs = await this.applyPipelined(client, prepared, batch, memories);
    } catch (error) {
      for (const memory of memories.values()) memory.clear();
      if (!isEventFault(error)) throw error;
      // After a failed pipeline it is unknown which of its statements were prepared.
      await client.query('DEALLOCATE ALL');
      prepared.clear();
      outputs = await this.applyParkingFaults(client, batch);
    }
    const last = batch[batch.length - 1].position;
    for (const projection of this.projections)
      this.positions.set(projection.name, Math.max(last, this.positions.get(projection.name) ?? 0));
    await this.deliver(outputs, { from: batch[0].position, to: last });
  }

  /**
   * The usual path, in as few round trips as possible: the projections run side by side (each owns its
   * tables) on a statement pipeline, so begin, the fence and every statement they issue together travel
   * in one round trip; the checkpoints and the commit join the round trip in which the last projection says
   * it has issued its last statement (`ApplyOptions.issued`). A send's batch is one round trip; a projection
   * that must read before it writes adds one.
   */
  private async applyPipelined(
    client: pg.Client,
    prepared: Set<string>,
    batch: readonly RecordedDerbelEvent[],
    memories: Map<Projection<unknown>, LeaderMemory>,
  ) {
    const sql = new StatementPipeline(client, prepared);
    // Read models are derived data: losing the last few commits in a database crash only rolls the
    // checkpoints back with them (they are re-applied), so the batch need not wait for its WAL flush.
    const begun = Promise.all([sql.query('BEGIN'), sql.query('SET LOCAL synchronous_commit = off'), this.fence(sql)]);
    const working = this.projections.map((projection) => ({ projection, events: this.unapplied(projection, batch) }));
    const issuing = working.filter(({ events }) => events.length > 0).length;
    let notYetIssued = issuing;
    let allIssued = () => {};
    const issued = new Promise<void>((resolve) => (allIssued = resolve));
    if (issuing === 0) allIssued();
    const applied = Promise.all(
      working.map(async ({ projection, events }) => {
        if (events.length === 0) return [];
        let told = false;
        const tell = () => {
          if (told) return;
          told = true;
          if (--notYetIssued === 0) allIssued();
        };
        const outputs =
          (await projection.apply(
            this.issueGuard(sql, projection, () => told),
            events,
            { memory: memories.get(projection), issued: tell },
          )) ?? [];
        tell();
        return outputs;
      }),
    );
    // Queued behind every statement the projections issued: the fence failing, or any of them, skips the commit.
    const committed = issued.then(() => Promise.all([this.moveCheckpoints(sql, batch), sql.query('COMMIT')]));
    // Their failures are handled below, possibly only after another's.
    applied.catch(() => {});
    committed.catch(() => {});
    try {
      await begun;
      const outputs = await applied;
      await committed;
      return outputs;
    } catch (error) {
      sql.abort(error);
      await applied.catch(() => {});
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  }

  /** A statement after a projection said it issued its last would run after the commit: refused. */
  private issueGuard(sql: StatementPipeline, projection: Projection<unknown>, issued: () => boolean) {
    return {
      query: <R extends pg.QueryResultRow>(text: string, values?: unknown[]) =>
        issued()
          ? Promise.reject(new Error(`projection ${projection.name} issued a statement after saying it had issued its last`))
          : sql.query<R>(text, values),
    };
  }

  /** The batch again, after it failed because of an event: each projection parks what it cannot apply. */
  private async applyParkingFaults(client: pg.Client, batch: readonly RecordedDerbelEvent[]) {
    await client.query('BEGIN');
    try {
      await this.fence(client);
      const outputs: Array<unknown[]> = [];
      for (const projection of this.projections) {
        const events = this.unapplied(projection, batch);
        const { outputs: out, parked } = events.length === 0 ? { outputs: [], parked: [] } : await applyOrPark(client, projection, events);
        for (const { event, error } of parked) {
          this.options.log.error(
            {
              err: error,
              projection: projection.name,
              position: event.position,
              eventType: event.type,
              eventId: event.id,
              stream: event.streamId,
            },
            'projection parked an event it cannot apply',
          );
        }
        outputs.push(out);
      }
      await this.moveCheckpoints(client, batch);
      await client.query('COMMIT');
      return outputs;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  }

  /** Locks the group's checkpoints; fails the transaction when any moved under this leader (migration 021). */
  private fence(sql: Sql) {
    const names = this.names();
    return sql.query('SELECT derbel_projection_fence($1::text[], $2::bigint[], $3::bigint[])', [
      names,
      names.map((name) => this.positions.get(name) ?? 0),
      names.map((name) => this.generations.get(name) ?? 0),
    ]);
  }

  /** A projection already past this batch (a rebuild swapped it in further on) keeps its checkpoint. */
  private moveCheckpoints(sql: Sql, batch: readonly RecordedEvent[]) {
    return sql.query(
      'UPDATE projection_checkpoints SET position = greatest(position, $1::bigint), updated_at = now(), node_id = $2 WHERE name = ANY($3::text[])',
      [batch[batch.length - 1].position, this.options.nodeId, this.names()],
    );
  }

  /** The batch's events this projection has not applied yet. */
  private unapplied(projection: Projection<unknown>, batch: readonly RecordedDerbelEvent[]) {
    const from = this.positions.get(projection.name) ?? 0;
    return from < batch[0].position ? batch : batch.filter((event) => event.position > from);
  }

  /** A subscriber that fails loses these outputs (e.g. a socket push): logged with the positions they came from. */
  private async deliver(outputs: Array<unknown[]>, positions: { from: number; to: number }) {
    for (const [i, projection] of this.projections.entries()) {
      const out = outputs[i];
      if (!out || out.length === 0) continue;
      for (const subscriber of this.subscribers) {
        if (subscriber.projection !== projection.name) continue;
        await Promise.resolve()
          .then(() => subscriber.deliver(out))
          .catch((err) =>
            this.options.log.error(
              { err, subscriber: subscriber.name, projection: projection.name, outputs: out.length, ...positions },
              'projection subscriber failed; what it was handed is lost',
            ),
          );
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeStandby = () => (clearTimeout(timer), resolve());
    });
  }
}
