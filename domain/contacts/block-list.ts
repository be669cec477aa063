import { DomainError, type Decider } from '../decider.js';
import type { BlockListEvent } from './events.js';

/** The `blocks-<blockerId>` stream: whom one user has blocked. `at` is the handler's clock. */
export type BlockUser = { type: 'BlockUser'; data: { blockerId: string; blockedId: string; at: string } };
export type UnblockUser = { type: 'UnblockUser'; data: { blockerId: string; blockedId: string } };
export type BlockListCommand = BlockUser | UnblockUser;

/** Blocked user id → when they were blocked. */
export type BlockListState = { blocked: Map<string, string> };

/** Blocking and unblocking are idempotent: a repeat decides nothing. */
export const blockListDecider: Decider<BlockListState, BlockListCommand, BlockListEvent> = {
  initialState: () => ({ blocked: new Map() }),

  decide(command, state) {
    const { blockerId, blockedId } = command.data;
    if (command.type === 'BlockUser') {
      if (blockerId === blockedId) throw new DomainError('CANNOT_BLOCK_SELF', 'You cannot block yourself');
      if (state.blocked.has(blockedId)) return [];
      return [{ type: 'UserBlocked', data: { blockerId, blockedId, blockedAt: command.data.at } }];
    }
    if (!state.blocked.has(blockedId)) return [];
    return [{ type: 'UserUnblocked', data: { blockerId, blockedId } }];
  },

  // Mutates in place, like the contact decider: the handler evolves its cached state only after an append.
  evolve(state, event) {
    if (event.type === 'UserBlocked') state.blocked.set(event.data.blockedId, event.data.blockedAt);
    else state.blocked.delete(event.data.blockedId);
    return state;
  },
};
