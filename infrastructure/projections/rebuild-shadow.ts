import type pg from 'pg';
import type { Projection } from '../../projections/projection.js';
import { SQLSTATE } from '../database/sqlstate.js';

export const SHADOW_SCHEMA = 'derbel_rebuild';
export const RETIRED_SCHEMA = 'derbel_retired';
const PROGRESS_TABLE = `${SHADOW_SCHEMA}.rebuild_progress`;
/** Events a rebuild parks go to a shadow copy of the parked-events table, swapped in with the projection. */
export const SHADOW_PARKED_TABLE = `${SHADOW_SCHEMA}.projection_parked_events`;

/** Creates the shadow schema and its progress table; safe to call concurrently. */
export async function ensureShadowSchema(client: pg.ClientBase): Promise<void> {
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${SHADOW_SCHEMA}`).catch(ignoreDuplicate);
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${RETIRED_SCHEMA}`).catch(ignoreDuplicate);
  await client
    .query(
      `CREATE TABLE IF NOT EXISTS ${PROGRESS_TABLE} (
       name       text PRIMARY KEY,
       position   bigint      NOT NULL,
       started_at timestamptz NOT NULL DEFAULT now(),
       updated_at timestamptz NOT NULL DEFAULT now()
     )`,
    )
    .catch(ignoreDuplicate);
  await client
    .query(`CREATE TABLE IF NOT EXISTS ${SHADOW_PARKED_TABLE} (LIKE public.projection_parked_events INCLUDING ALL)`)
    .catch(ignoreDuplicate);
}

/**
 * Prepares the projection's shadow tables and returns the position to replay from: the saved progress of an
 * interrupted rebuild when its tables are still there and still shaped like the live ones, otherwise 0 on
 * fresh, empty copies of the live tables (same columns, constraints and index names).
 */
export async function prepareShadow(
  client: pg.ClientBase,
  projection: Projection<unknown>,
): Promise<{ position: number; resumed: boolean }> {
  const { rows } = await client.query<{ position: string }>(`SELECT position FROM ${PROGRESS_TABLE} WHERE name = $1`, [projection.name]);
  if (rows[0] && (await shadowMatchesLive(client, projection))) return { position: Number(rows[0].position), resumed: true };

  await client.query('BEGIN');
  try {
    for (const table of projection.tables) {
      await client.query(`DROP TABLE IF EXISTS ${SHADOW_SCHEMA}.${ident(table)}`);
      await cloneTable(client, table, !projection.readsOnlyByKey);
    }
    await client.query(`DELETE FROM ${SHADOW_PARKED_TABLE} WHERE projection = $1`, [projection.name]);
    await client.query(
      `INSERT INTO ${PROGRESS_TABLE} (name, position) VALUES ($1, 0)
       ON CONFLICT (name) DO UPDATE SET position = 0, started_at = now(), updated_at = now()`,
      [projection.name],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
  return { position: 0, resumed: false };
}

/** Records shadow progress; runs inside the batch transaction. */
export async function saveShadowProgress(client: pg.ClientBase, name: string, position: number): Promise<void> {
  await client.query(`UPDATE ${PROGRESS_TABLE} SET position = $2, updated_at = now() WHERE name = $1`, [name, position]);
}

export async function forgetShadowProgress(client: pg.ClientBase, name: string): Promise<void> {
  await client.query(`DELETE FROM ${PROGRESS_TABLE} WHERE name = $1`, [name]);
}

/** Rebuilds left half-way, for `projections status`. */
export async function pendingRebuilds(
  client: pg.ClientBase | pg.Pool,
): Promise<Array<{ name: string; position: number; updatedAt: Date }>> {
  const { rows } = await client.query<{ exists: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS exists`, [PROGRESS_TABLE]);
  if (!rows[0].exists) return [];
  const { rows: progress } = await client.query<{ name: string; position: string; updated_at: Date }>(
    `SELECT name, position, updated_at FROM ${PROGRESS_TABLE} ORDER BY name`,
  );
  return progress.map((r) => ({ name: r.name, position: Number(r.position), updatedAt: r.updated_at }));
}

/**
 * Creates the indexes the live tables have and the shadow ones lack: those a projection that reads only by
 * key leaves out of its shadow tables during the replay (`Projection.readsOnlyByKey`). One bulk build per
 * index, with room to sort in memory; a shadow index no longer on the live table is dropped.
 */
export async function buildShadowIndexes(client: pg.ClientBase, projection: Projection<unknown>): Promise<void> {
  for (const table of projection.tables) {
    const shadow = `${SHADOW_SCHEMA}.${ident(table)}`;
    const live = await plainIndexDefinitions(client, `public.${ident(table)}`);
    const existing = await plainIndexDefinitions(client, shadow);
    const wanted = new Set(live.map(schemaFree));
    for (const def of existing) {
      if (!wanted.has(schemaFree(def))) await client.query(`DROP INDEX ${SHADOW_SCHEMA}.${ident(indexName(def))}`);
    }
    const present = new Set(existing.map(schemaFree));
    for (const def of live.filter((d) => !present.has(schemaFree(d)))) {
      await client.query('BEGIN');
      try {
        await client.query(`SET LOCAL maintenance_work_mem TO '256MB'`);
        await client.query(inShadow(def, shadow));
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    }
  }
}

/**
 * An empty copy of `public.<table>` in the shadow schema. Constraints, indexes and storage parameters are
 * recreated under their live names (names are per schema), so once the copy is moved into `public` it is indistinguishable.
 * Without `plainIndexes`, the indexes that back no constraint are left for `buildShadowIndexes`.
 */
async function cloneTable(client: pg.ClientBase, table: string, plainIndexes: boolean): Promise<void> {
  const live = `public.${ident(table)}`;
  const shadow = `${SHADOW_SCHEMA}.${ident(table)}`;
  await client.query(
    `CREATE TABLE ${shadow} (LIKE ${live} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING IDENTITY
       INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING COMMENTS INCLUDING STATISTICS)`,
  );
  const { rows: constraints } = await client.query<{ name: string; def: string }>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
     WHERE conrelid = $1::regclass AND contype IN ('p', 'u', 'x') ORDER BY conname`,
    [live],
  );
  for (const c of constraints) await client.query(`ALTER TABLE ${shadow} ADD CONSTRAINT ${ident(c.name)} ${c.def}`);
  // Storage parameters (e.g. contact_list's fillfactor, which keeps its updates in place) are not LIKE's.
  const { rows: options } = await client.query<{ options: string[] | null }>(
    'SELECT reloptions AS options FROM pg_class WHERE oid = $1::regclass',
    [live],
  );
  if (options[0]?.options?.length) await client.query(`ALTER TABLE ${shadow} SET (${options[0].options.join(', ')})`);
  if (!plainIndexes) return;
  for (const def of await plainIndexDefinitions(client, live)) await client.query(inShadow(def, shadow));
}

const inShadow = (def: string, shadow: string) => def.replace(/ ON (ONLY )?\S+ USING /, ` ON $1${shadow} USING `);
const schemaFree = (def: string) => def.replace(/ ON (ONLY )?\S+ USING /, ' ON _ USING ');
const indexName = (def: string) => /^CREATE (?:UNIQUE )?INDEX (\S+) ON /.exec(def)![1];

/** Indexes that do not back a constraint (those come back with their constraints). */
async function plainIndexDefinitions(client: pg.ClientBase, qualifiedTable: string): Promise<string[]> {
  const { rows } = await client.query<{ def: string }>(
    `SELECT pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
     WHERE i.indrelid = $1::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
     ORDER BY i.indexrelid::regclass::text`,
    [qualifiedTable],
  );
  return rows.map((r) => r.def);
}

/**
 * Columns, constraints and indexes, schema-free, to tell whether a saved shadow still fits the live table.
 * Without `plainIndexes`, the indexes that `buildShadowIndexes` makes right in the end are left out.
 */
async function tableShape(client: pg.ClientBase, schema: string, table: string, plainIndexes: boolean): Promise<string | null> {
  const qualified = `${schema}.${ident(table)}`;
  const { rows: exists } = await client.query<{ oid: string | null }>('SELECT to_regclass($1)::text AS oid', [qualified]);
  if (!exists[0].oid) return null;
  const { rows: columns } = await client.query<{ c: string }>(
    `SELECT attname || ' ' || format_type(atttypid, atttypmod) || CASE WHEN attnotnull THEN ' not null' ELSE '' END AS c
     FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [qualified],
  );
  const { rows: constraints } = await client.query<{ c: string }>(
    `SELECT conname || ' ' || pg_get_constraintdef(oid) AS c FROM pg_constraint WHERE conrelid = $1::regclass ORDER BY conname`,
    [qualified],
  );
  const indexes = plainIndexes ? (await plainIndexDefinitions(client, qualified)).map(schemaFree) : [];
  return JSON.stringify([columns.map((r) => r.c), constraints.map((r) => r.c), indexes]);
}

async function shadowMatchesLive(client: pg.ClientBase, projection: Projection<unknown>): Promise<boolean> {
  const plainIndexes = !projection.readsOnlyByKey;
  for (const table of projection.tables) {
    const shadow = await tableShape(client, SHADOW_SCHEMA, table, plainIndexes);
    if (shadow === null || shadow !== (await tableShape(client, 'public', table, plainIndexes))) return false;
  }
  return true;
}

export function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Unexpected table name ${JSON.stringify(name)}`);
  return name;
}

/** Two sessions creating the same schema at once: one of them sees a unique violation. */
function ignoreDuplicate(error: { code?: string }) {
  if (error.code !== SQLSTATE.uniqueViolation && error.code !== SQLSTATE.duplicateSchema) throw error;
}
