/**
 * The one spelling of an id this product stores and compares: 36 characters, lower-case hexadecimal digits
 * hyphenated 8-4-4-4-12. Deciders and folds compare ids as strings while PostgreSQL compares uuids; the two
 * agree only when every id has this one spelling.
 */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const isCanonicalUuid = (value: unknown): value is string =>
  typeof value === 'string' && value.length === 36 && CANONICAL_UUID.test(value);
