const CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * What PostgreSQL's `uuid` input reads as a uuid (any case, optional `{braces}`, a hyphen allowed after any
 * group of four digits) plus the `urn:uuid:` prefix ajv-formats accepted. Every spelling PostgreSQL takes for
 * one uuid must map to one canonical id, or a read model comparing uuids and a fold comparing strings disagree.
 */
const SPELLED = /^(?:urn:uuid:([0-9a-f-]+)|\{([0-9a-f-]+)\}|([0-9a-f-]+))$/i;
const HEX_IN_GROUPS_OF_FOUR = /^[0-9a-f]{4}(?:-?[0-9a-f]{4}){7}$/i;

export const isCanonicalUuid = (value: string): boolean => value.length === 36 && CANONICAL.test(value);

/** The 36-character lower-case hyphenated spelling of `value`, or null when `value` is no uuid at all. */
export function canonicalUuid(value: string): string | null {
  if (isCanonicalUuid(value)) return value;
  if (value.length > 48) return null; // `urn:uuid:` and 32 digits with all 7 optional hyphens
  const spelled = SPELLED.exec(value);
  const digits = spelled && (spelled[1] ?? spelled[2] ?? spelled[3]);
  if (!digits || !HEX_IN_GROUPS_OF_FOUR.test(digits)) return null;
  const hex = digits.replaceAll('-', '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
