import type pg from 'pg';
import type { EventStore, RecordedEvent } from '../../application/ports/event-store.js';
import type { Projection } from '../../projections/projection.js';
import { forgetShadowProgress, ident, RETIRED_SCHEMA, SHADOW_PARKED_TABLE, SHADOW_SCHEMA } from './rebuild-shadow.js';

export interface SwapResult {
  /** The projection's checkpoint after the swap. */
  position: number;
  /** True when the live runner was ahead and the swap only caught the shadow up to it (no runner restart). */
  joinedLiveRunner: boolean;
}

/**
 * Swaps the caught-up shadow tables in, in one transaction. Locking the live checkpoint row first makes the
 * live runner (which locks it at the start of every batch) wait; the shadow then applies whatever the live
 * tables have and it lacks, the live tables move aside, the shadow ones move into `public`, and the
 * checkpoint is set. When the live runner was at or ahead of the shadow, the checkpoint stays where the
 * runner left it and the runner carries on; otherwise it sees a moved checkpoint and restarts from it.
 */
export async function swapInShadow(
  client: pg.ClientBase,
  store: EventStore,
  projection: Projection<unknown>,
  shadowPosition: number,
  apply: (events: RecordedEvent[]) => Promise<void>,
  options: { lockTimeoutMs: number; batchSize: number },
): Promise<SwapResult> {
  const name = projection.name;
  await client.query('INSERT INTO public.projection_checkpoints (name, position) VALUES ($1, 0) ON CONFLICT DO NOTHING', [name]);
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(options.lockTimeoutMs))}`);
    await client.query('SET LOCAL synchronous_commit = on');
    const { rows } = await client.query<{ position: string }>(
      'SELECT position FROM public.projection_checkpoints WHERE name = $1 FOR UPDATE',
      [name],
    );
    const live = Number(rows[0].position);
    let position = shadowPosition;
    while (position < live) {
      const events = (await store.readAll({ after: position, limit: options.batchSize })).filter((e) => e.position <= live);
      if (events.length === 0) break;
      await apply(events);
      position = events[events.length - 1].position;
    }
    position = Math.max(position, live);
    for (const table of projection.tables) await client.query(`ALTER TABLE IF EXISTS public.${ident(table)} SET SCHEMA ${RETIRED_SCHEMA}`);
    for (const table of projection.tables) await client.query(`ALTER TABLE ${SHADOW_SCHEMA}.${ident(table)} SET SCHEMA public`);
    for (const table of projection.tables) await client.query(`DROP TABLE IF EXISTS ${RETIRED_SCHEMA}.${ident(table)}`);
    // What the rebuild parked replaces what the live projection had parked.
    await client.query('DELETE FROM public.projection_parked_events WHERE projection = $1', [name]);
    await client.query(`INSERT INTO public.projection_parked_events SELECT * FROM ${SHADOW_PARKED_TABLE} WHERE projection = $1`, [name]);
    await client.query(`DELETE FROM ${SHADOW_PARKED_TABLE} WHERE projection = $1`, [name]);
    await client.query('UPDATE public.projection_checkpoints SET position = $2, updated_at = now() WHERE name = $1', [name, position]);
    await forgetShadowProgress(client, name);
    await client.query('COMMIT');
    return { position, joinedLiveRunner: position === live };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
