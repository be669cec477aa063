import { DomainError, type Decider } from '../decider.js';
import type { UsernameClaimEvent } from './events.js';
import { canonicalUsername } from './username.js';

/** The `username-<lowercase name>` stream: whoever claims a name first owns it. */
export type ClaimUsername = {
  type: 'ClaimUsername';
  data: { username: string; userId: string };
};

/** Undoes a claim whose account was never registered (a failed sign-up); only the claimant's claim is released. */
export type ReleaseUsername = {
  type: 'ReleaseUsername';
  data: { username: string; userId: string };
};

export type UsernameClaimCommand = ClaimUsername | ReleaseUsername;

export type UsernameClaimState = { status: 'unclaimed' } | { status: 'claimed'; username: string; userId: string };

export const usernameClaimDecider: Decider<UsernameClaimState, UsernameClaimCommand, UsernameClaimEvent> = {
  initialState: () => ({ status: 'unclaimed' }),

  decide(command, state) {
    const username = canonicalUsername(command.data.username);
    if (command.type === 'ReleaseUsername') {
      if (state.status !== 'claimed' || state.userId !== command.data.userId) return [];
      return [{ type: 'UsernameReleased', data: { username, userId: command.data.userId } }];
    }
    if (state.status === 'claimed') throw new DomainError('USERNAME_TAKEN', `Username ${username} is taken`);
    return [{ type: 'UsernameClaimed', data: { username, userId: command.data.userId } }];
  },

  evolve(_state, event) {
    if (event.type === 'UsernameReleased') return { status: 'unclaimed' };
    return { status: 'claimed', username: event.data.username, userId: event.data.userId };
  },
};
