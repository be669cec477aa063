import type { ErrorObject } from 'ajv';
import { CANONICAL_UUID_DESCRIPTION } from '../canonical-id.js';
import { CANONICAL_UUID_KEYWORD, POSITION_KEYWORD } from './validator-compiler.js';

/**
 * The code and message for the first schema error of a request part (`body`, `querystring`, a socket
 * `payload`…): a bad id is `INVALID_ID` and a bad position `INVALID_POSITION`, each naming the field.
 */
export function describeValidationError(error: ErrorObject | undefined, part: string): { code: string; message: string } {
  const field = `${part}${error?.instancePath ?? ''}`;
  const schema = (error?.parentSchema ?? {}) as Record<string, unknown>;
  if (error?.keyword === CANONICAL_UUID_KEYWORD || schema[CANONICAL_UUID_KEYWORD]) {
    return { code: 'INVALID_ID', message: `${field} must be ${CANONICAL_UUID_DESCRIPTION}` };
  }
  if (schema[POSITION_KEYWORD]) {
    return { code: 'INVALID_POSITION', message: `${field} must be a position: a whole number from 0 to ${Number.MAX_SAFE_INTEGER}` };
  }
  return { code: 'VALIDATION_ERROR', message: `${field} ${error?.message ?? 'is invalid'}`.replace(/\s+/g, ' ').trim() };
}
