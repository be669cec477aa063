import { describe, expect, it } from 'vitest';
import { isCanonicalUuid } from '../../domain/ids.js';
import { uuidFromAnySpelling as canonicalUuid } from './canonical-uuid.js';

const id = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11';

describe('canonicalUuid', () => {
  it('hands back a canonical uuid as it is', () => {
    expect(isCanonicalUuid(id)).toBe(true);
    expect(canonicalUuid(id)).toBe(id);
  });

  it.each([
    ['upper case', id.toUpperCase()],
    ['mixed case', 'A0EEbc99-9C0B-4ef8-BB6D-6bb9bd380A11'],
    ['the urn:uuid: prefix', `urn:uuid:${id}`],
    ['the prefix in upper case, with an upper-case id', `URN:UUID:${id.toUpperCase()}`],
    ['braces', `{${id}}`],
    ['no hyphens', id.replaceAll('-', '')],
    ['braces and no hyphens', `{${id.replaceAll('-', '').toUpperCase()}}`],
    ['hyphens after other groups of four, as PostgreSQL reads them', 'a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11'],
    ['the prefix and no hyphens', `urn:uuid:${id.replaceAll('-', '')}`],
  ])('canonicalises %s', (_case, spelled) => {
    expect(isCanonicalUuid(spelled)).toBe(false);
    expect(canonicalUuid(spelled)).toBe(id);
  });

  it.each([
    ['an empty string', ''],
    ['a word', 'hello'],
    ['31 digits', id.replaceAll('-', '').slice(1)],
    ['33 digits', `${id.replaceAll('-', '')}0`],
    ['a non-hex digit', id.replace('a0', 'g0')],
    ['a hyphen inside a group of four', 'a0e-ebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
    ['two hyphens in a row', 'a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11'],
    ['a trailing hyphen', `${id}-`],
    ['an unclosed brace', `{${id}`],
    ['braces inside the prefix', `urn:uuid:{${id}}`],
    ['surrounding spaces', ` ${id} `],
    ['another urn', `urn:isbn:${id}`],
    ['a long string', 'a'.repeat(10_000)],
  ])('leaves %s alone (null: no uuid)', (_case, value) => {
    expect(canonicalUuid(value)).toBeNull();
  });
});
