import { describe, expect, it } from 'vitest';
import { DomainError } from './decider.js';
import { assertPlainName, assertPlainText } from './plain-text.js';

const codeOf = (check: () => void) => {
  try {
    check();
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return (error as DomainError).code;
  }
};

describe('plain text', () => {
  it.each([
    'hello',
    'two\nlines',
    'a\ttab',
    '😀 a pair of surrogates',
    '👩‍👩‍👧 joined by zero-width joiners',
    'עברית ‏mark',
    '\u00a0nbsp',
    'x'.repeat(10_000),
  ])('keeps %j', (text) => expect(codeOf(() => assertPlainText(text, 'text'))).toBe('ok'));

  it.each([
    '\u0000',
    'a\u0001',
    '\u0008',
    '\u000b',
    '\u000c',
    '\r',
    '\u001f',
    '\u007f',
    '\u0080',
    '\u009f',
    '\ud800',
    'a\udfff',
    '\udc00\ud800',
    'end\ud83d',
  ])('refuses %j with INVALID_TEXT naming the character', (text) => {
    expect(codeOf(() => assertPlainText(text, 'text'))).toBe('INVALID_TEXT');
    expect(() => assertPlainText(text, 'text')).toThrow(/text contains a character that is not allowed \(U\+[0-9A-F]{4}\)/);
  });
});

describe('plain names', () => {
  it.each(['Ana', 'Zoë Åström', '李 小龙', 'محمد', 'Ana 👩‍💻', 'a\u200bb'])('keeps %j', (name) =>
    expect(codeOf(() => assertPlainName(name, 'displayName'))).toBe('ok'),
  );

  it.each([
    'a\nb',
    'a\tb',
    '\u202eevil',
    'a\u2066b\u2069',
    'a\u200e',
    '\u061c',
    '\u200b',
    '\u3164',
    '\u115f',
    '\u2800',
    '\ufe0f\u200d',
    '\u0301',
  ])('refuses %j', (name) => expect(codeOf(() => assertPlainName(name, 'displayName'))).toBe('INVALID_TEXT'));
});
