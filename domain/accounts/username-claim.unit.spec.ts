import { describe, it } from 'vitest';
import { DeciderSpecification } from '../../test/support/decider-specification.js';
import type { UsernameClaimed, UsernameReleased } from './events.js';
import { usernameClaimDecider, type ClaimUsername, type ReleaseUsername } from './username-claim.js';

const spec = DeciderSpecification.for(usernameClaimDecider);

const claim = (username: string, userId = 'user-1'): ClaimUsername => ({ type: 'ClaimUsername', data: { username, userId } });
const claimed = (username: string, userId = 'user-1'): UsernameClaimed => ({ type: 'UsernameClaimed', data: { username, userId } });

describe('claiming a username', () => {
  it('claims a free username', () => {
    spec
      .given([])
      .when(claim('ada'))
      .then([claimed('ada')]);
  });

  it('stores the username lowercased', () => {
    spec
      .given([])
      .when(claim('Ada.Lovelace_1-x'))
      .then([claimed('ada.lovelace_1-x')]);
  });

  it('refuses a username someone already claimed', () => {
    spec
      .given([claimed('ada', 'user-1')])
      .when(claim('Ada', 'user-2'))
      .thenThrows('USERNAME_TAKEN');
  });

  it('refuses a second claim even by the same user', () => {
    spec
      .given([claimed('ada', 'user-1')])
      .when(claim('ada', 'user-1'))
      .thenThrows('USERNAME_TAKEN');
  });

  it('accepts the shortest and longest usernames', () => {
    spec
      .given([])
      .when(claim('abc'))
      .then([claimed('abc')]);
    spec
      .given([])
      .when(claim('a'.repeat(32)))
      .then([claimed('a'.repeat(32))]);
  });

  it.each([
    ['too short', 'ab'],
    ['too long', 'a'.repeat(33)],
    ['empty', ''],
    ['a space', 'ada lovelace'],
    ['a slash', 'ada/x'],
    ['an at sign', 'ada@x'],
    ['a non-ASCII letter', 'adé'],
    ['a trailing newline', 'ada\n'],
  ])('refuses a username with %s', (_case, username) => {
    spec.given([]).when(claim(username)).thenThrows('INVALID_USERNAME');
  });
});

describe('releasing a username', () => {
  const release = (username: string, userId = 'user-1'): ReleaseUsername => ({ type: 'ReleaseUsername', data: { username, userId } });
  const released = (username: string, userId = 'user-1'): UsernameReleased => ({ type: 'UsernameReleased', data: { username, userId } });

  it("releases its claimant's claim, after which anyone may claim it", () => {
    spec
      .given([claimed('ada', 'user-1')])
      .when(release('ada', 'user-1'))
      .then([released('ada', 'user-1')]);
    spec
      .given([claimed('ada', 'user-1'), released('ada', 'user-1')])
      .when(claim('ada', 'user-2'))
      .then([claimed('ada', 'user-2')]);
  });

  it("never releases someone else's claim, nor an unclaimed name", () => {
    spec
      .given([claimed('ada', 'user-1')])
      .when(release('ada', 'user-2'))
      .then([]);
    spec.given([]).when(release('ada')).then([]);
    spec
      .given([claimed('ada', 'user-1'), released('ada', 'user-1')])
      .when(release('ada', 'user-1'))
      .then([]);
  });
});
