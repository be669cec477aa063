import { CANONICAL_UUID_DESCRIPTION, canonicalUuid } from '../../canonical-id.js';
import { idFieldsOf } from '../../../domain/event-id-fields.js';
import type { ExportedEvent } from './event-file.js';

class NotAnId extends Error {}

function canonical(value: unknown, field: string): string {
  const id = canonicalUuid(value);
  if (id === null) throw new NotAnId(`${field} must be ${CANONICAL_UUID_DESCRIPTION}, not ${JSON.stringify(value)}`);
  return id;
}

/**
 * The event with its id, the ids in its data and `metadata.userId` spelled canonically (upper case
 * lower-cased), or what is wrong. Absent and null fields are left as they are (an older shape, `endedBy: null`).
 */
export function withCanonicalIds(event: ExportedEvent): { event: ExportedEvent } | { problem: string } {
  try {
    const id = canonical(event.id, 'id');
    const userId = event.metadata.userId;
    const metadata = userId == null ? event.metadata : { ...event.metadata, userId: canonical(userId, 'metadata.userId') };
    return { event: { ...event, id, data: canonicalData(event.type, event.data), metadata } };
  } catch (error) {
    if (error instanceof NotAnId) return { problem: error.message };
    throw error;
  }
}

function canonicalData(type: string, data: unknown): unknown {
  const fields = idFieldsOf(type);
  if (!fields || typeof data !== 'object' || data === null || Array.isArray(data)) return data;
  const copy: Record<string, unknown> = { ...data };
  for (const name of fields.ids) if (copy[name] != null) copy[name] = canonical(copy[name], `data.${name}`);
  for (const name of fields.lists ?? []) {
    const value = copy[name];
    if (value == null) continue;
    if (!Array.isArray(value)) throw new NotAnId(`data.${name} must be an array of ids, not ${JSON.stringify(value)}`);
    copy[name] = value.map((item, i) => canonical(item, `data.${name}[${i}]`));
  }
  return copy;
}
