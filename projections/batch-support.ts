import type { RecordedEvent } from '../application/ports/event-store.js';
import type { Projection, Sql } from './projection.js';

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Batch paths compare ids as strings in memory, where the database compares uuids. The two agree only
 * for canonical lowercase uuids, so a batch holding any other spelling takes the per-event path.
 */
export const isCanonicalUuid = (value: unknown): value is string => typeof value === 'string' && CANONICAL_UUID.test(value);

/** Applies events one at a time: the reference behaviour a batch path falls back to. */
export async function applyEach<Output>(projection: Projection<Output>, sql: Sql, events: RecordedEvent[]): Promise<Output[]> {
  const outputs: Output[] = [];
  for (const event of events) {
    const out = await projection.apply(sql, event);
    if (out) outputs.push(...out);
  }
  return outputs;
}

/** PostgreSQL's `->>` of a JSON value: text for strings, the JSON text for other values, null for null/absent. */
export function jsonText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
