import { Ajv, type SchemaValidateFunction, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { canonicalUuid } from '../canonical-id.js';
import { CompiledByText } from './compiled-by-text.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Schema keyword of the shared `Uuid`: refuses every spelling but the canonical one, lower-casing upper case in place. */
export const CANONICAL_UUID_KEYWORD = 'x-canonical-uuid';
/** Schema keyword marking a log position, so a bad one is answered with `INVALID_POSITION`. */
export const POSITION_KEYWORD = 'x-position';

const canonicalId: SchemaValidateFunction = (_schema, data, _parentSchema, cxt) => {
  const id = canonicalUuid(data);
  if (id === data) return true;
  // Lower-cased in its parent object or array; a bare string at the root has nowhere to be rewritten.
  if (id !== null && cxt?.parentData) {
    cxt.parentData[cxt.parentDataProperty] = id;
    return true;
  }
  canonicalId.errors = [{ keyword: CANONICAL_UUID_KEYWORD, message: 'must be a canonical uuid', params: {} }];
  return false;
};

function withProductKeywords(ajv: Ajv): Ajv {
  ajv.addKeyword({ keyword: CANONICAL_UUID_KEYWORD, type: 'string', modifying: true, errors: true, validate: canonicalId });
  ajv.addKeyword({ keyword: POSITION_KEYWORD });
  return ajv;
}

// verbose: errors carry their schema, so a bad id or position is told apart from other mistakes.
const options = { useDefaults: true, removeAdditional: false, allErrors: false, strict: false, verbose: true } as const;
// JSON bodies are typed already: `{"text": 42}` is a mistake to reject, not a string to coerce.
const bodyAjv = withProductKeywords(addFormats(new Ajv({ ...options, coerceTypes: false })));
// Query strings and path parameters arrive as text and are coerced to their schema types.
const textAjv = withProductKeywords(addFormats(new Ajv({ ...options, coerceTypes: 'array' })));

// Compiled once per process for each schema text (compiled-by-text.ts).
const validators = new CompiledByText<ValidateFunction>();

export function registerValidatorCompiler(app: FastifyInstance) {
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'body'
      ? validators.get(schema, 'json', () => bodyAjv.compile(schema))
      : validators.get(schema, 'text', () => textAjv.compile(schema)),
  );
}

/** How many HTTP validators this process compiled. */
export const httpValidatorsCompiled = () => validators.size;

const seen = new WeakSet<object>();
let compiled = 0;

/**
 * The same strict JSON validation for payloads that do not come through HTTP (socket events). Give it schemas
 * made once (module constants), not per socket: a compile costs milliseconds, and Ajv keeps every schema it
 * compiled, so a schema object built per connection is compiled, and kept, once per connection.
 */
export function compileJsonValidator(schema: object) {
  // Ajv answers a schema object it compiled before from its cache.
  if (!seen.has(schema)) {
    seen.add(schema);
    compiled++;
  }
  return bodyAjv.compile(schema);
}

/** How many validators `compileJsonValidator` compiled in this process (a connect must not add any). */
export const jsonValidatorsCompiled = () => compiled;
