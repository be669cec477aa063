import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const options = { useDefaults: true, removeAdditional: false, allErrors: false, strict: false } as const;
// JSON bodies are typed already: `{"text": 42}` is a mistake to reject, not a string to coerce.
const bodyAjv = addFormats(new Ajv({ ...options, coerceTypes: false }));
// Query strings and path parameters arrive as text and are coerced to their schema types.
const textAjv = addFormats(new Ajv({ ...options, coerceTypes: 'array' }));

export function registerValidatorCompiler(app: FastifyInstance) {
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : textAjv).compile(schema));
}

/** The same strict JSON validation for payloads that do not come through HTTP (socket events). */
export function compileJsonValidator(schema: object) {
  return bodyAjv.compile(schema);
}
