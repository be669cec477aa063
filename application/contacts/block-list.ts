import { blockListDecider, type BlockListCommand, type BlockListState } from '../../domain/contacts/block-list.js';
import type { BlockListEvent } from '../../domain/contacts/events.js';
import { streams } from '../../domain/events.js';
import type { EventStore } from '../ports/event-store.js';
import type { Clock, IdGenerator } from '../shared/clock.js';
import type { CommandContext } from '../shared/command-context.js';
import { CommandHandler } from '../shared/command-handler.js';

/** The `blocks-<userId>` streams: whom each user has blocked (see `ContactService.block` for what a block ends). */
export class BlockList {
  private readonly handler: CommandHandler<BlockListState, BlockListCommand, BlockListEvent>;

  constructor(
    store: EventStore,
    private readonly deps: { clock: Clock; ids: IdGenerator },
  ) {
    this.handler = new CommandHandler(store, blockListDecider, deps);
  }

  /** Whether `blockerId` has blocked `userId` (read from the stream, so never stale). */
  async hasBlocked(blockerId: string, userId: string): Promise<boolean> {
    const { state } = await this.handler.load(streams.blocks(blockerId));
    return state.blocked.has(userId);
  }

  /** Idempotent: a repeat appends nothing and answers with the first block's time. */
  async block(blockerId: string, blockedId: string, context: CommandContext): Promise<{ blockedAt: string; position: number | null }> {
    const at = this.deps.clock.now().toISOString();
    const result = await this.handler.handle(streams.blocks(blockerId), { type: 'BlockUser', data: { blockerId, blockedId, at } }, context);
    return { blockedAt: result.state.blocked.get(blockedId)!, position: result.position };
  }

  async unblock(blockerId: string, blockedId: string, context: CommandContext): Promise<{ position: number | null }> {
    const result = await this.handler.handle(streams.blocks(blockerId), { type: 'UnblockUser', data: { blockerId, blockedId } }, context);
    return { position: result.position };
  }
}
