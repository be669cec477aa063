import { isCanonicalUuid } from '../../domain/ids.js';

/**
 * What PostgreSQL's `uuid` input reads as a uuid (any case, optional `{braces}`, a hyphen allowed after any
 * group of four digits) plus the `urn:uuid:` prefix ajv-formats accepted. Every spelling PostgreSQL takes for
 * one uuid must map to one canonical id, or a read model comparing uuids and a fold comparing strings disagree.
 */
const SPELLED = /^(?:urn:uuid:([0-9a-f-]+)|\{([0-9a-f-]+)\}|([0-9a-f-]+))$/i;
const HEX_IN_GROUPS_OF_FOUR = /^[0-9a-f]{4}(?:-?[0-9a-f]{4}){7}$/i;

/**
 * The canonical spelling of a uuid written any way the API once let through (reading old logs only: the edge
 * now takes upper case and nothing else), or null when `value` is no uuid at all.
 */
export function uuidFromAnySpelling(value: string): string | null {
  if (isCanonicalUuid(value as unknown)) return value;
  if (value.length > 48) return null; // `urn:uuid:` and 32 digits with all 7 optional hyphens
  const spelled = SPELLED.exec(value);
  const digits = spelled && (spelled[1] ?? spelled[2] ?? spelled[3]);
  if (!digits || !HEX_IN_GROUPS_OF_FOUR.test(digits)) return null;
  const hex = digits.replaceAll('-', '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
