import fc from 'fast-check';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { prepareValue, sqlLiteral } from './sql-literal.js';

/** What the statement pipeline wrote before: node-postgres's own escaping of the bound text. */
function asPgWrites(value: unknown): string {
  const prepared = prepareValue(value) as string | Buffer | null;
  if (prepared === null || prepared === undefined) return 'NULL';
  if (Buffer.isBuffer(prepared)) return `'\\x${prepared.toString('hex')}'`;
  return pg.escapeLiteral(String(prepared));
}

/** Text heavy in what escaping is about: quotes, backslashes, and anything else Unicode has. */
const awkwardText = fc.oneof(
  fc.string({ unit: fc.constantFrom("'", '\\', '"', ',', '{', '}', ' ', 'a', 'ü', '\n', '\u0000') }),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
);

const bindable = fc.oneof(
  awkwardText,
  fc.array(awkwardText),
  fc.array(fc.oneof(fc.uuid(), fc.constant(null))),
  fc.jsonValue().map((json) => (typeof json === 'object' && json !== null ? json : { json })),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.bigInt(),
  fc.boolean(),
  fc.date({ noInvalidDate: true }),
  fc.uint8Array().map((bytes) => Buffer.from(bytes)),
  fc.constantFrom(null, undefined),
);

describe('sqlLiteral', () => {
  it('writes every value exactly as node-postgres escapes it', () => {
    fc.assert(
      fc.property(bindable, (value) => {
        expect(sqlLiteral(value)).toBe(asPgWrites(value));
      }),
      { numRuns: 5_000 },
    );
  });

  it('quotes and escapes the cases that matter', () => {
    expect(sqlLiteral("O'Brien")).toBe("'O''Brien'");
    expect(sqlLiteral('a\\b')).toBe(" E'a\\\\b'");
    expect(sqlLiteral("\\'")).toBe(" E'\\\\'''");
    expect(sqlLiteral(['x', "it's"])).toBe(`'{"x","it''s"}'`);
    expect(sqlLiteral(null)).toBe('NULL');
  });
});
