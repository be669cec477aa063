import pg from 'pg';

/** node-postgres's own conversion of a bound value to its text form (not in its type declarations). */
export const prepareValue = (pg as unknown as { utils: { prepareValue(value: unknown): unknown } }).utils.prepareValue;

/**
 * A value as node-postgres would bind it, written as an SQL literal (NULL unquoted): the text `pg.escapeLiteral`
 * gives, which builds it a character at a time — 23 µs for an array of 35 ids, 4 µs for an event's JSON, on the
 * path of every projected event (BENCHMARKS.md). The same text here from two whole-string replaces.
 */
export function sqlLiteral(value: unknown): string {
  const prepared = prepareValue(value) as string | Buffer | null;
  if (prepared === null || prepared === undefined) return 'NULL';
  if (Buffer.isBuffer(prepared)) return `'\\x${prepared.toString('hex')}'`;
  return escapeLiteral(String(prepared));
}

function escapeLiteral(text: string): string {
  const quoted = text.includes("'") ? text.replaceAll("'", "''") : text;
  // As pg.escapeLiteral: backslashes doubled, in an escape string (E'…') with a space before it.
  return text.includes('\\') ? ` E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`;
}
