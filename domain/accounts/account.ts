import { DomainError, type Decider } from '../decider.js';
import { trimmedDisplayName } from './display-name.js';
import type { AccountRegistered } from './events.js';
import { canonicalUsername } from './username.js';

/** The `account-<userId>` stream. The username must already be claimed (see username-claim.ts). */
export type RegisterAccount = {
  type: 'RegisterAccount';
  data: { userId: string; username: string; displayName: string };
};

export type AccountState = { status: 'unregistered' } | { status: 'registered'; userId: string; username: string; displayName: string };

export const accountDecider: Decider<AccountState, RegisterAccount, AccountRegistered> = {
  initialState: () => ({ status: 'unregistered' }),

  decide({ data }, state) {
    const username = canonicalUsername(data.username);
    const displayName = trimmedDisplayName(data.displayName);
    if (state.status === 'registered') throw new DomainError('ACCOUNT_EXISTS', `Account ${data.userId} already exists`);
    return [{ type: 'AccountRegistered', data: { userId: data.userId, username, displayName } }];
  },

  evolve(_state, { data }) {
    return { status: 'registered', userId: data.userId, username: data.username, displayName: data.displayName };
  },
};
