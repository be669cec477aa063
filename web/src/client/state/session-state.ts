import type { User } from '../types.js';

/** Where the user stands: being restored on load, signed in, or out (and why). */
export type SessionState =
  | { status: 'restoring' }
  | { status: 'signed-in'; user: User }
  | { status: 'signed-out'; reason?: 'signed-out' | 'expired' | 'unreachable' };

export const signedInUser = (state: SessionState): User | null => (state.status === 'signed-in' ? state.user : null);
