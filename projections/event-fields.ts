import type { MessageAttachment } from '../domain/contacts/message-attachments.js';
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

export function bool(event: RecordedDerbelEvent, value: unknown, field: string): boolean {
  if (typeof value === 'boolean') return value;
  throw new MalformedEventError(event, `${field} is not true or false`);
}

/**
 * A MessageSent's files: absent (as in every event before files existed) is none; otherwise a list of
 * metadata with a canonical id, a name, a whole positive size, a type and, for images, a whole width and height.
 */
export function attachments(event: RecordedDerbelEvent, value: unknown): MessageAttachment[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new MalformedEventError(event, 'attachments is not a list');
  return value.map((item, i) => {
    const field = `attachments[${i}]`;
    if (item === null || typeof item !== 'object') throw new MalformedEventError(event, `${field} is not an object`);
    const size = item.size;
    if (!Number.isSafeInteger(size) || size <= 0) throw new MalformedEventError(event, `${field}.size is not a positive whole number`);
    const dimension = (v: unknown, name: string) => {
      if (v === undefined) return undefined;
      if (!Number.isSafeInteger(v) || (v as number) <= 0)
        throw new MalformedEventError(event, `${field}.${name} is not a positive whole number`);
      return v as number;
    };
    const width = dimension(item.width, 'width');
    const height = dimension(item.height, 'height');
    return {
      id: uuid(event, item.id, `${field}.id`),
      name: text(event, item.name, `${field}.name`),
      size,
      contentType: text(event, item.contentType, `${field}.contentType`),
      ...(width !== undefined && height !== undefined ? { width, height } : {}),
    };
  });
}

const ISO_UTC = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d{1,6})?Z$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * An ISO timestamp in UTC, as the handlers stamp them, that names a real moment: JavaScript reads
 * `2025-02-30` as 2 March where PostgreSQL refuses it. Checked field by field (this runs for every event
 * in every fold: no Date is built).
 */
export function timestamp(event: RecordedDerbelEvent, value: unknown, field: string): string {
  const parts = typeof value === 'string' ? ISO_UTC.exec(value) : null;
  if (parts) {
    const [year, month, day, hour, minute, second] = parts.slice(1, 7).map(Number);
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
    if (year >= 1 && days !== undefined && day >= 1 && day <= days && hour <= 23 && minute <= 59 && second <= 59) return value as string;
  }
  throw new MalformedEventError(event, `${field} is not an ISO timestamp in UTC`);
}

/** One of the values a field may take. */
export function oneOf<T extends string>(event: RecordedDerbelEvent, value: unknown, allowed: readonly T[], field: string): T {
  if (allowed.includes(value as T)) return value as T;
  throw new MalformedEventError(event, `${field} is not one of ${allowed.join(', ')}`);
}

const checkedTimes = new WeakMap<RecordedDerbelEvent, string>();

/** When the event happened, as the command handler stamped it (checked once per event, whichever folds ask). */
export function occurredAt(event: RecordedDerbelEvent): string {
  let at = checkedTimes.get(event);
  if (at === undefined) checkedTimes.set(event, (at = timestamp(event, event.metadata?.timestamp, 'metadata.timestamp')));
  return at;
}

/** Event data must be an object before any field is read. */
export function dataOf<E extends RecordedDerbelEvent>(event: E): E['data'] {
  if (event.data === null || typeof event.data !== 'object' || Array.isArray(event.data))
    throw new MalformedEventError(event, 'data is not an object');
  return event.data;
}
