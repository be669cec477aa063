import fc from 'fast-check';

/** How many cases: small in CI, larger with FUZZ_REST_RUNS / FUZZ_SOCKET_RUNS (see BENCHMARKS.md). */
export const fuzzRuns = (name: 'FUZZ_REST_RUNS' | 'FUZZ_SOCKET_RUNS', ciDefault: number) => Number(process.env[name] ?? ciDefault);

const uuid = 'c0ffee00-1234-4abc-8def-0123456789ab';

/** Strings that have broken things before, or break things elsewhere. */
export const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udc00x',
  'x\ud83d',
  '\u0007\u001b[31m',
  '\u0085',
  '\u202eevil',
  '\u200b\u200b',
  '\u3164',
  '\ufeff',
  '\r\n',
  '\t',
  '%00',
  '%',
  '%zz',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  "'; DROP TABLE events; --",
  '${7*7}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-0',
  'true',
  '9007199254740991',
  '9007199254740992',
  '9223372036854775807',
  '9223372036854775808',
  '-9223372036854775809',
  '1e309',
  '0x10',
  '1_000',
  uuid,
  uuid.toUpperCase(),
  `{${uuid}}`,
  `urn:uuid:${uuid}`,
  uuid.replaceAll('-', ''),
  ` ${uuid} `,
  `${uuid}\u0000`,
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  'c0ffee00-1234-4abc-8def-0123456789a',
  'g0ffee00-1234-4abc-8def-0123456789ab',
  '2026-13-45T25:61:61Z',
  '0001-01-01T00:00:00Z',
  '275760-09-13T00:00:00.000Z',
  '1970-01-01T00:00:00Z',
  'x'.repeat(4001),
  '😀'.repeat(4000),
  'é'.repeat(65),
];

export const ODD_NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.5,
  2 ** 31,
  2 ** 32,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  1e308,
  -1e308,
  5e-324,
  9.999999999999999e22,
];

export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', '__defineGetter__'];

export const oddString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ODD_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
  { weight: 1, arbitrary: fc.uuid().map((u) => (Math.random() < 0.5 ? u.toUpperCase() : u)) },
);

export const oddNumber = fc.oneof(fc.constantFrom(...ODD_NUMBERS), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));

const oddKey = fc.oneof(
  fc.constantFrom(...PROTOTYPE_KEYS, 'text', 'id', 'messageId', 'contactId', 'meetingId', 'username', 'password', 'displayName'),
  fc.string({ maxLength: 8 }),
);

/** Any JSON value, odd leaves, a few levels deep. */
export const oddJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    oddString,
    oddNumber,
    fc.constantFrom(null, true, false),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(oddKey, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** A field's value: mostly a string (what the field expects, so the request gets past the schema to the handler), else anything. */
const oddField = fc.oneof({ weight: 3, arbitrary: oddString }, { weight: 1, arbitrary: fc.uuid() }, { weight: 2, arbitrary: oddJson });

/** A body for an endpoint whose real fields are `fields`: right names with odd values, extra prototype keys, or anything. */
export const oddBody = (fields: string[]) => {
  const record = fc.record(Object.fromEntries(fields.map((f) => [f, oddField])), { requiredKeys: [] });
  return fc.oneof(
    { weight: 4, arbitrary: record },
    { weight: 1, arbitrary: fc.tuple(record, fc.constantFrom(...PROTOTYPE_KEYS), oddJson).map(([o, k, v]) => ({ ...o, [k]: v })) },
    { weight: 1, arbitrary: oddJson },
  );
};

/** Raw request bodies no JSON serializer would produce. */
export const RAW_BODIES = [
  '['.repeat(100_000) + ']'.repeat(100_000),
  '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000),
  '{"__proto__":{"admin":true},"text":"hi"}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"text":"\\u0000"}',
  '{"text":"\\ud800"}',
  '{"id":123456789012345678901234567890,"text":"big"}',
  '{"text":"dup","text":"dup2"}',
  '{',
  '',
  'null',
  '"just a string"',
  '12',
  '\u0000',
  '{"text":"' + 'x'.repeat(300 * 1024) + '"}',
];
