/** Events of the `account-<userId>` and `username-<lowercase name>` streams. Passwords never appear here. */
export type UsernameClaimed = {
  type: 'UsernameClaimed';
  data: { username: string; userId: string };
};

/** A claim given up: its sign-up failed before the account was registered. The name may be claimed again. */
export type UsernameReleased = {
  type: 'UsernameReleased';
  data: { username: string; userId: string };
};

export type AccountRegistered = {
  type: 'AccountRegistered';
  data: { userId: string; username: string; displayName: string };
};

export type UsernameClaimEvent = UsernameClaimed | UsernameReleased;
export type AccountEvent = UsernameClaimEvent | AccountRegistered;
