import { isCanonicalUuid } from '../domain/ids.js';

/**
 * The one spelling of an id the product takes in: 36 characters, hexadecimal digits hyphenated 8-4-4-4-12,
 * lower case. Upper case is only another spelling, so it is lower-cased; `urn:uuid:`, braces, missing
 * hyphens or anything else PostgreSQL would also read as this uuid are refused (null), so that the write
 * side (comparing strings) and PostgreSQL (comparing uuids) can never disagree about which id is meant.
 */
export function canonicalUuid(value: unknown): string | null {
  const lower = typeof value === 'string' ? value.toLowerCase() : null;
  return isCanonicalUuid(lower) ? lower : null;
}

export const CANONICAL_UUID_DESCRIPTION = 'a uuid: 36 characters, hexadecimal digits hyphenated 8-4-4-4-12 (upper case is lower-cased)';
