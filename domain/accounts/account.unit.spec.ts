import { describe, expect, it } from 'vitest';
import { DeciderSpecification } from '../../test/support/decider-specification.js';
import { accountDecider, type RegisterAccount } from './account.js';
import { DISPLAY_NAME_MAX_LENGTH, DISPLAY_NAME_MIN_LENGTH } from './display-name.js';
import type { AccountRegistered } from './events.js';
import { USERNAME_MAX_LENGTH, USERNAME_MIN_LENGTH, USERNAME_PATTERN, USERNAME_REGEX } from './username.js';

const spec = DeciderSpecification.for(accountDecider);

const register = (data: Partial<RegisterAccount['data']> = {}): RegisterAccount => ({
  type: 'RegisterAccount',
  data: { userId: 'user-1', username: 'ada', displayName: 'Ada Lovelace', ...data },
});
const registered = (data: Partial<AccountRegistered['data']> = {}): AccountRegistered => ({
  type: 'AccountRegistered',
  data: { userId: 'user-1', username: 'ada', displayName: 'Ada Lovelace', ...data },
});

describe('registering an account', () => {
  it('registers a new account', () => {
    spec.given([]).when(register()).then([registered()]);
  });

  it('refuses to register the same account twice', () => {
    spec.given([registered()]).when(register()).thenThrows('ACCOUNT_EXISTS');
  });

  it('stores the username lowercased', () => {
    spec
      .given([])
      .when(register({ username: 'Ada' }))
      .then([registered({ username: 'ada' })]);
  });

  it('refuses an invalid username', () => {
    spec
      .given([])
      .when(register({ username: 'a b' }))
      .thenThrows('INVALID_USERNAME');
  });

  it('trims the display name', () => {
    spec
      .given([])
      .when(register({ displayName: '  Ada Lovelace \n' }))
      .then([registered()]);
  });

  it('accepts display names of 1 and 64 characters, counting characters not UTF-16 units', () => {
    spec
      .given([])
      .when(register({ displayName: 'A' }))
      .then([registered({ displayName: 'A' })]);
    const longest = '😀'.repeat(DISPLAY_NAME_MAX_LENGTH);
    spec
      .given([])
      .when(register({ displayName: longest }))
      .then([registered({ displayName: longest })]);
  });

  it.each([
    ['empty', ''],
    ['whitespace only', '   \t '],
    ['65 characters long', 'x'.repeat(DISPLAY_NAME_MAX_LENGTH + 1)],
  ])('refuses a display name that is %s', (_case, displayName) => {
    spec.given([]).when(register({ displayName })).thenThrows('INVALID_DISPLAY_NAME');
  });
});

describe('validation rules shared with the HTTP schemas', () => {
  it('publish the lengths and a pattern that agrees with them', () => {
    expect([USERNAME_MIN_LENGTH, USERNAME_MAX_LENGTH]).toEqual([3, 32]);
    expect([DISPLAY_NAME_MIN_LENGTH, DISPLAY_NAME_MAX_LENGTH]).toEqual([1, 64]);
    expect(USERNAME_REGEX.source).toBe(USERNAME_PATTERN);
    expect(USERNAME_REGEX.test('Ada_1.x-y')).toBe(true);
    expect(USERNAME_REGEX.test('ab')).toBe(false);
  });
});
