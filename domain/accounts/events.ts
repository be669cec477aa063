/** Events of the `account-<userId>` and `username-<lowercase name>` streams. Passwords never appear here. */
export type UsernameClaimed = {
  type: 'UsernameClaimed';
  data: { username: string; userId: string };
};

export type AccountRegistered = {
  type: 'AccountRegistered';
  data: { userId: string; username: string; displayName: string };
};

export type AccountEvent = UsernameClaimed | AccountRegistered;
