import { DomainError, type Decider } from '../decider.js';
import type { UsernameClaimed } from './events.js';
import { canonicalUsername } from './username.js';

/** The `username-<lowercase name>` stream: whoever claims a name first owns it. */
export type ClaimUsername = {
  type: 'ClaimUsername';
  data: { username: string; userId: string };
};

export type UsernameClaimState =
  | { status: 'unclaimed' }
  | { status: 'claimed'; username: string; userId: string };

export const usernameClaimDecider: Decider<UsernameClaimState, ClaimUsername, UsernameClaimed> = {
  initialState: () => ({ status: 'unclaimed' }),

  decide({ data }, state) {
    const username = canonicalUsername(data.username);
    if (state.status === 'claimed') throw new DomainError('USERNAME_TAKEN', `Username ${username} is taken`);
    return [{ type: 'UsernameClaimed', data: { username, userId: data.userId } }];
  },

  evolve(_state, { data }) {
    return { status: 'claimed', username: data.username, userId: data.userId };
  },
};
