import { DomainError } from './decider.js';

/**
 * What a person's text may hold. PostgreSQL's jsonb cannot store NUL or half a surrogate pair (the append
 * of a whole batch would fail), and control characters other than newline and tab only hide or garble text.
 */
// Control characters are what this pattern is for.
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** In a name, shown on one line beside others': no line breaks or tabs, and no bidi controls that reorder what follows it. */
const NOT_IN_NAMES = /[\t\n\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Renders as nothing: whitespace, default-ignorable code points (zero-width, Hangul fillers…), format characters, marks, the braille blank. */
const INVISIBLE_ONLY = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cf}\p{M}\u2800]*$/u;

function invalidText(field: string, what: string): DomainError {
  return new DomainError('INVALID_TEXT', `${field} contains ${what}`);
}

/** Throws `INVALID_TEXT` for NUL, lone surrogates and control characters other than newline and tab. */
export function assertPlainText(text: string, field: string): void {
  const found = UNSTORABLE.exec(text);
  if (found)
    throw invalidText(field, `a character that is not allowed (U+${found[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()})`);
}

/** `assertPlainText`, and no line breaks, tabs or bidi controls, and something visible. */
export function assertPlainName(text: string, field: string): void {
  assertPlainText(text, field);
  const found = NOT_IN_NAMES.exec(text);
  if (found)
    throw invalidText(
      field,
      `a character that is not allowed in a name (U+${found[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()})`,
    );
  if (INVISIBLE_ONLY.test(text)) throw invalidText(field, 'no visible character');
}
