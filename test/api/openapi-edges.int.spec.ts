import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../support/api-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

type Schema = Record<string, any>;
interface Field {
  method: string;
  route: string;
  in: 'path' | 'query' | 'body';
  name: string;
  schema: Schema;
  /** A body field that is an array of these. */
  array?: boolean;
}

const ID_NAME = /(^id$|Id$|Ids$)/;
const POSITION_NAME = /position|after|before|since|until|cursor|offset/i;
const isId = (f: Field) => f.schema.format === 'uuid' || (ID_NAME.test(f.name) && f.schema.type !== 'integer');
const isPosition = (f: Field) => f.schema.type === 'integer' && (POSITION_NAME.test(f.name) || f.schema['x-position'] === true);

const u = () => randomUUID();
/** Spellings PostgreSQL or ajv-formats would read as a uuid, and plain garbage: none is an id we take. */
const BAD_ID_TEXT: Array<[string, () => string]> = [
  ['urn:uuid: prefix', () => `urn:uuid:${u()}`],
  ['braces', () => `{${u()}}`],
  ['no hyphens', () => u().replaceAll('-', '')],
  [
    'hyphens every four digits',
    () =>
      u()
        .replaceAll('-', '')
        .replace(/(.{4})(?!$)/g, '$1-'),
  ],
  ['37 characters', () => `${u()}0`],
  ['35 characters', () => u().slice(0, 35)],
  ['padded with spaces', () => ` ${u()} `],
  ['a non-hex digit', () => `g${u().slice(1)}`],
  ['fullwidth digits', () => u().replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)))],
  ['not an id at all', () => 'nope'],
];
const BAD_ID_JSON: Array<[string, () => unknown]> = [
  ['a number', () => 42],
  ['null', () => null],
  ['an array', () => [u()]],
  ['an object', () => ({ id: u() })],
  ['an empty string', () => ''],
];
const BAD_POSITION_TEXT = [
  '-1',
  '1.5',
  '9007199254740992',
  '9223372036854775807',
  '99999999999999999999',
  '1e20',
  'Infinity',
  '-Infinity',
  'NaN',
  'abc',
  '',
];
const BAD_POSITION_JSON: unknown[] = [-1, 1.5, 2 ** 53, 1e20, '5', null];

/** A value the schema accepts, for every field but the one under test. */
function example(schema: Schema): unknown {
  if (schema.default !== undefined) return schema.default;
  if (schema.format === 'uuid') return randomUUID();
  if (schema.format === 'date-time') return new Date().toISOString();
  switch (schema.type) {
    case 'integer':
    case 'number':
      return schema.minimum ?? 0;
    case 'boolean':
      return true;
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => example(schema.items));
    case 'object': {
      // All properties when the required ones alone are too few (a PATCH that must change something).
      const names =
        (schema.required ?? []).length >= (schema.minProperties ?? 0) ? (schema.required ?? []) : Object.keys(schema.properties);
      return Object.fromEntries(names.map((name: string) => [name, example(schema.properties[name])]));
    }
    default:
      return 'abc'.padEnd(schema.minLength ?? 3, 'x');
  }
}

/** Every path, query and (nested) JSON body field of every documented route. */
function fieldsOf(doc: Schema): Field[] {
  const fields: Field[] = [];
  for (const [route, operations] of Object.entries<Schema>(doc.paths)) {
    for (const [method, operation] of Object.entries<Schema>(operations)) {
      for (const p of operation.parameters ?? []) {
        if (p.in === 'path' || p.in === 'query')
          fields.push({ method: method.toUpperCase(), route, in: p.in, name: p.name, schema: p.schema });
      }
      const walk = (schema: Schema | undefined, prefix: string) => {
        for (const [name, property] of Object.entries<Schema>(schema?.properties ?? {})) {
          const path = `${prefix}${name}`;
          fields.push({
            method: method.toUpperCase(),
            route,
            in: 'body',
            name: path,
            schema: property.type === 'array' ? property.items : property,
            array: property.type === 'array',
          });
          if (property.type === 'object') walk(property, `${path}.`);
        }
      };
      walk(operation.requestBody?.content?.['application/json']?.schema, '');
    }
  }
  return fields;
}

/**
 * Walks the OpenAPI document: every id and position a client can type, on every route, is refused in each
 * bad spelling with 400 and a code naming the field. A route added later that forgets the shared `Uuid` or
 * `Position` schema fails here.
 */
describe('every id and position in the OpenAPI document', () => {
  let t: TestServer;
  let client: ApiClient;
  let doc: Schema;
  let fields: Field[];

  beforeAll(async () => {
    t = await startTestServer();
    client = await new ApiClient(t.url).signUp('walker');
    doc = (await client.get('/api/docs/json')).body;
    fields = fieldsOf(doc);
  });
  afterAll(() => t.close());

  /** Sends `field = value` with every other field valid. */
  async function sendWith(field: Field, value: unknown, { raw = false } = {}) {
    const operation = doc.paths[field.route][field.method.toLowerCase()];
    const params: Schema[] = operation.parameters ?? [];
    const path = field.route.replace(/\{(\w+)\}/g, (_, name) =>
      encodeURIComponent(
        field.in === 'path' && field.name === name ? String(value) : String(example(params.find((p) => p.name === name)!.schema)),
      ),
    );
    const query = new URLSearchParams();
    for (const p of params.filter((p) => p.in === 'query' && p.required && p.name !== field.name))
      query.append(p.name, String(example(p.schema)));
    let rawQuery = query.toString();
    if (field.in === 'query')
      rawQuery += `${rawQuery ? '&' : ''}${raw ? String(value) : `${field.name}=${encodeURIComponent(String(value))}`}`;
    const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
    let body = bodySchema ? (example(bodySchema) as Record<string, unknown>) : undefined;
    if (field.in === 'body') body = withValue(body ?? {}, field.name.split('.'), field.array ? [value] : value);
    return client.request(field.method, `${path}${rawQuery ? `?${rawQuery}` : ''}`, body);
  }

  const label = (f: Field) => `${f.method} ${f.route} ${f.in} ${f.name}`;

  it('finds the ids and positions it is meant to check', () => {
    const ids = fields.filter(isId).map(label);
    const positions = fields.filter(isPosition).map(label);
    expect(ids).toEqual(
      expect.arrayContaining([
        'POST /api/contacts/{contactId}/messages body id',
        'GET /api/calls query before',
        'POST /api/contacts/{contactId}/read body messageId',
      ]),
    );
    expect(ids.length).toBeGreaterThanOrEqual(15);
    expect(positions).toEqual(expect.arrayContaining(['GET /api/events query after', 'GET /api/contacts query minPosition']));
  });

  it('documents every id as a uuid and bounds every whole number to a safe integer', () => {
    for (const f of fields.filter(isId)) expect(f.schema.format, label(f)).toBe('uuid');
    for (const f of fields.filter((f) => f.schema.type === 'integer')) {
      expect(f.schema.maximum, label(f)).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
      expect(f.schema.minimum, label(f)).toBeGreaterThanOrEqual(0);
    }
  });

  it('refuses every bad spelling of every id with 400 INVALID_ID naming the field', async () => {
    const failures: string[] = [];
    for (const field of fields.filter(isId)) {
      const cases: Array<[string, unknown, boolean?]> = BAD_ID_TEXT.map(([name, make]) => [name, make()]);
      if (field.in === 'body') cases.push(...BAD_ID_JSON.map(([name, make]): [string, unknown] => [name, make()]));
      if (field.in === 'query') cases.push(['an empty value', ''], ['given twice', `${field.name}=${u()}&${field.name}=${u()}`, true]);
      for (const [name, value, raw] of cases) {
        const res = await sendWith(field, value, { raw });
        const leaf = field.name.split('.').at(-1)!;
        if (res.status !== 400 || res.body?.code !== 'INVALID_ID' || !String(res.body?.message).includes(leaf)) {
          failures.push(`${label(field)} with ${name}: ${res.status} ${JSON.stringify(res.body)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('takes every id in upper case (lower-casing it), never answering 400 INVALID_ID or 500', async () => {
    const failures: string[] = [];
    for (const field of fields.filter(isId)) {
      const res = await sendWith(field, randomUUID().toUpperCase());
      if (res.status >= 500 || res.body?.code === 'INVALID_ID' || res.body?.code === 'VALIDATION_ERROR')
        failures.push(`${label(field)}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    expect(failures).toEqual([]);
  });

  it('refuses every out-of-range or malformed position with 400 INVALID_POSITION naming the field', async () => {
    const failures: string[] = [];
    for (const field of fields.filter(isPosition)) {
      const values: unknown[] = field.in === 'body' ? BAD_POSITION_JSON : [...BAD_POSITION_TEXT, `${field.name}=1&${field.name}=2`];
      for (const value of values) {
        const res = await sendWith(field, value, { raw: typeof value === 'string' && value.includes('&') });
        if (res.status !== 400 || res.body?.code !== 'INVALID_POSITION' || !String(res.body?.message).includes(field.name)) {
          failures.push(`${label(field)} = ${JSON.stringify(value)}: ${res.status} ${JSON.stringify(res.body)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});

function withValue(target: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const [head, ...rest] = path;
  return { ...target, [head]: rest.length === 0 ? value : withValue((target[head] as Record<string, unknown>) ?? {}, rest, value) };
}
