import { idFieldsOf } from '../../domain/event-id-fields.js';
import { isCanonicalUuid } from '../../domain/ids.js';
import { uuidFromAnySpelling } from './canonical-uuid.js';

/**
 * The event with every id of its data in the canonical spelling (the API once accepted `urn:uuid:…` and upper
 * case). Values that are no uuid at all stay as written, for the read side to park. An event that needs no
 * change is handed back as the same object, and nothing is allocated for it.
 */
export function withCanonicalIds<E extends { type: string; data: unknown }>(event: E): E {
  const fields = idFieldsOf(event.type);
  const data = event.data;
  if (!fields || data === null || typeof data !== 'object' || Array.isArray(data)) return event;
  const record = data as Record<string, unknown>;
  let copy: Record<string, unknown> | null = null;
  for (const field of fields.ids) {
    const fixed = canonicalised(record[field]);
    if (fixed !== undefined) (copy ??= { ...record })[field] = fixed;
  }
  for (const field of fields.lists ?? []) {
    const list = record[field];
    if (!Array.isArray(list) || list.every((value) => canonicalised(value) === undefined)) continue;
    (copy ??= { ...record })[field] = list.map((value) => canonicalised(value) ?? value);
  }
  return copy ? { ...event, data: copy } : event;
}

/** The canonical spelling when `value` is a uuid spelled otherwise; undefined when there is nothing to change. */
function canonicalised(value: unknown): string | undefined {
  if (typeof value !== 'string' || isCanonicalUuid(value)) return undefined;
  return uuidFromAnySpelling(value) ?? undefined;
}
