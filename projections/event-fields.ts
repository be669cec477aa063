import { isCanonicalUuid } from '../domain/ids.js';
import { MalformedEventError } from './malformed-event.js';
import type { RecordedDerbelEvent } from './recorded-event.js';

/**
 * The checks folds run on the fields they use. Read models compare ids as strings in memory and PostgreSQL
 * compares them as uuids: the two agree only for canonical lower-case uuids, so any other spelling is refused.
 */
export function uuid(event: RecordedDerbelEvent, value: unknown, field: string): string {
  if (isCanonicalUuid(value)) return value;
  throw new MalformedEventError(event, `${field} is not a canonical uuid: ${JSON.stringify(value)?.slice(0, 80)}`);
}

export function uuids(event: RecordedDerbelEvent, value: unknown, field: string, min = 0): string[] {
  if (!Array.isArray(value) || value.length < min) throw new MalformedEventError(event, `${field} is not a list of at least ${min} ids`);
  return value.map((v, i) => uuid(event, v, `${field}[${i}]`));
}

export function text(event: RecordedDerbelEvent, value: unknown, field: string): string {
  if (typeof value === 'string' && !value.includes('\u0000')) return value;
  throw new MalformedEventError(event, `${field} is not text`);
}

/**
 * An ISO timestamp in UTC, as the handlers stamp them, that names a real moment: JavaScript reads
 * `2025-02-30` as 2 March where PostgreSQL refuses it, so the date must survive a round trip unchanged.
 */
export function timestamp(event: RecordedDerbelEvent, value: unknown, field: string): string {
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$/.test(value) && value >= '0001') {
    const parsed = new Date(value);
    if (!Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 19) === value.slice(0, 19)) return value;
  }
  throw new MalformedEventError(event, `${field} is not an ISO timestamp in UTC`);
}

/** One of the values a field may take. */
export function oneOf<T extends string>(event: RecordedDerbelEvent, value: unknown, allowed: readonly T[], field: string): T {
  if (allowed.includes(value as T)) return value as T;
  throw new MalformedEventError(event, `${field} is not one of ${allowed.join(', ')}`);
}

/** When the event happened, as the command handler stamped it. */
export const occurredAt = (event: RecordedDerbelEvent) => timestamp(event, event.metadata?.timestamp, 'metadata.timestamp');

/** Event data must be an object before any field is read. */
export function dataOf<E extends RecordedDerbelEvent>(event: E): E['data'] {
  if (event.data === null || typeof event.data !== 'object' || Array.isArray(event.data)) throw new MalformedEventError(event, 'data is not an object');
  return event.data;
}
