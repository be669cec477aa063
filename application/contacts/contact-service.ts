import { contactDecider, type ContactCommand, type ContactState } from '../../domain/contacts/contact.js';
import { contactNotFound } from '../../domain/contacts/contact-not-found.js';
import type { ContactEvent } from '../../domain/contacts/events.js';
import { currentMembers, isMember } from '../../domain/contacts/membership.js';
import type { MessageAttachment } from '../../domain/contacts/message-attachments.js';
import { DomainError } from '../../domain/decider.js';
import { streams } from '../../domain/events.js';
import type { AccountService } from '../accounts/account-service.js';
import type { PublicUser } from '../accounts/user.js';
import type { EventStore } from '../ports/event-store.js';
import type { Clock, IdGenerator } from '../shared/clock.js';
import type { CommandContext } from '../shared/command-context.js';
import { CommandHandler, type CommandResult } from '../shared/command-handler.js';
import type { BlockList } from './block-list.js';
import { directContactId } from './contact-id.js';

/** A non-member learns nothing about a contact, not even that it exists. */
const hideFromNonMembers = (error: unknown): never => {
  if (error instanceof DomainError && error.code === 'NOT_A_MEMBER') throw contactNotFound();
  throw error;
};

export type ContactStatus = 'pending' | 'accepted';

/** Ends whatever call is open in a contact (the meetings slice; set once both services exist). */
export interface OpenCalls {
  endOpenCall(contactId: string, endedBy: string, context: CommandContext): Promise<number | null>;
  /** Someone who is no longer a member of a group gives up their seat in its call, if they hold one. */
  leaveOpenCall(contactId: string, userId: string, context: CommandContext): Promise<number | null>;
}

export interface ContactDeps {
  clock: Clock;
  ids: IdGenerator;
  /** After a decline, the requester's new requests are silenced this long. */
  requestCooldownMs: number;
}

const latest = (...positions: Array<number | null | undefined>) => Math.max(0, ...positions.map((p) => p ?? 0));

/**
 * Contacts and the messages in them: every command goes through the `contact-<id>` stream's decider. Only an
 * accepted contact may talk; a request, a removal or a block answers everything else as "no such contact".
 */
export class ContactService {
  readonly handler: CommandHandler<ContactState, ContactCommand, ContactEvent>;
  private calls: OpenCalls | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly accounts: AccountService,
    private readonly blocks: BlockList,
    private readonly deps: ContactDeps,
  ) {
    this.handler = new CommandHandler(store, contactDecider, deps);
  }

  /** The meetings slice depends on this one; it hands back what ends calls once it exists. */
  endsCallsThrough(calls: OpenCalls) {
    this.calls = calls;
  }

  /**
   * `POST /api/contacts`: a request, or the contact itself when the other side had asked already. A requester
   * the recipient blocked, or one inside the cooling-off after a decline, gets the very same answer.
   */
  async requestContact(userId: string, peerUsername: string, message: string | null, context: CommandContext) {
    const peer = await this.peerNamed(peerUsername);
    const contactId = directContactId(userId, peer.id);
    const blockedByRecipient = await this.blocks.hasBlocked(peer.id, userId);
    const command: ContactCommand = {
      type: 'RequestContact',
      data: {
        contactId,
        members: [userId, peer.id],
        requestedBy: userId,
        message,
        at: this.now(),
        cooldownMs: this.deps.requestCooldownMs,
        blockedByRecipient,
      },
    };
    const result = await this.handler.handle(streams.contact(contactId), command, context).catch(hideFromNonMembers);
    let position = result.position;
    // A block made while this request was being decided found nothing to end: end it now.
    const visible = result.events.some((e) => e.type === 'ContactRequested' && !e.data.silenced);
    if (visible && (await this.blocks.hasBlocked(peer.id, userId)))
      position = latest(position, await this.endForBlock(peer.id, contactId, context));
    const status: ContactStatus = result.events.some((e) => e.type === 'ContactAdded') ? 'accepted' : 'pending';
    return { contact: { id: contactId, peer, status }, position: latest(position) };
  }

  async acceptRequest(userId: string, contactId: string, context: CommandContext) {
    const result = await this.commandAsMember(userId, contactId, { type: 'AcceptContactRequest', data: { contactId, userId } }, context);
    const peer = await this.peerIn(result.state, userId);
    return { contact: { id: contactId, peer, status: 'accepted' as ContactStatus }, position: latest(result.position) };
  }

  async declineRequest(userId: string, contactId: string, context: CommandContext) {
    const result = await this.commandAsMember(
      userId,
      contactId,
      { type: 'DeclineContactRequest', data: { contactId, userId, at: this.now() } },
      context,
    );
    return { position: latest(result.position) };
  }

  /** `DELETE /api/contacts/:id`: cancels the caller's outgoing request, or removes the contact and ends its call. */
  async removeContact(userId: string, contactId: string, context: CommandContext) {
    const result = await this.commandAsMember(userId, contactId, { type: 'EndContact', data: { contactId, userId } }, context);
    const ended = result.events.some((e) => e.type === 'ContactRemoved') ? await this.endOpenCall(contactId, userId, context) : null;
    return { position: latest(result.position, ended) };
  }

  /**
   * Blocks `blockedId` for `userId`: whatever is between them ends at once (the contact, a request either way,
   * a ring or call), and their later requests are silenced. Nothing of it reaches the blocked user as a block.
   */
  async block(userId: string, blockedId: string, context: CommandContext) {
    if (userId === blockedId) throw new DomainError('CANNOT_BLOCK_SELF', 'You cannot block yourself');
    const user = await this.accounts.findUser(blockedId).catch(() => null);
    if (!user) throw new DomainError('USER_NOT_FOUND', 'No such user');
    const blocked = await this.blocks.block(userId, blockedId, context);
    const ended = await this.endForBlock(userId, directContactId(userId, blockedId), context);
    return {
      block: { user: { id: user.id, username: user.username }, blockedAt: blocked.blockedAt },
      position: latest(blocked.position, ended),
    };
  }

  /** Idempotent; the contact does not come back (a new request is needed). */
  async unblock(userId: string, blockedId: string, context: CommandContext) {
    const { position } = await this.blocks.unblock(userId, blockedId, context);
    return { position: latest(position) };
  }

  async sendMessage(
    userId: string,
    contactId: string,
    input: { id?: string; text: string; attachments?: MessageAttachment[]; replyTo?: string },
    context: CommandContext,
  ) {
    const messageId = input.id ?? this.deps.ids.newId();
    const data = {
      contactId,
      messageId,
      senderId: userId,
      text: input.text,
      ...(input.attachments?.length ? { attachments: input.attachments } : {}),
      ...(input.replyTo !== undefined ? { replyTo: input.replyTo } : {}),
    };
    const result = await this.commandAsMember(userId, contactId, { type: 'SendMessage', data }, context);
    return { messageId, duplicate: result.events.length === 0, position: result.position, sentAt: result.timestamp };
  }

  async editMessage(userId: string, contactId: string, messageId: string, text: string, context: CommandContext) {
    const result = await this.commandAsMember(
      userId,
      contactId,
      { type: 'EditMessage', data: { contactId, messageId, editorId: userId, text } },
      context,
    );
    return { position: result.position, editedAt: result.timestamp };
  }

  async deleteMessage(userId: string, contactId: string, messageId: string, context: CommandContext) {
    const result = await this.commandAsMember(
      userId,
      contactId,
      { type: 'DeleteMessage', data: { contactId, messageId, deletedBy: userId } },
      context,
    );
    return { position: result.position };
  }

  /** Idempotent both ways: adding a reaction one has, or removing one one has not, appends nothing. */
  async react(userId: string, contactId: string, messageId: string, emoji: string, on: boolean, context: CommandContext) {
    const data = { contactId, messageId, userId, emoji };
    const command = on ? ({ type: 'AddReaction', data } as const) : ({ type: 'RemoveReaction', data } as const);
    const result = await this.commandAsMember(userId, contactId, command, context);
    return { position: result.position };
  }

  async markRead(userId: string, contactId: string, messageId: string, context: CommandContext) {
    const result = await this.commandAsMember(
      userId,
      contactId,
      { type: 'MarkConversationRead', data: { contactId, userId, messageId } },
      context,
    );
    return { position: result.position };
  }

  /**
   * Current members of an accepted contact or a group the user belongs to; CONTACT_NOT_FOUND otherwise (a
   * stranger, a former member, a request, a removed or blocked pair).
   */
  async membersFor(userId: string, contactId: string): Promise<readonly string[]> {
    await this.assertMayBeMember(userId, contactId);
    const { state } = await this.handler.load(streams.contact(contactId));
    if (state.status !== 'added' || !isMember(state, userId)) throw contactNotFound();
    return currentMembers(state);
  }

  /** A command on a conversation the user may be a member of; to a non-member, as if it did not exist. */
  async commandAsMember(
    userId: string,
    contactId: string,
    command: ContactCommand,
    context: CommandContext,
  ): Promise<CommandResult<ContactState, ContactEvent>> {
    await this.assertMayBeMember(userId, contactId);
    return this.handler.handle(streams.contact(contactId), command, context).catch(hideFromNonMembers);
  }

  /**
   * Those of `candidates` who are `userId`'s accepted contacts and have not blocked them: whom `userId` may
   * bring into a group. Read from their direct contacts' streams and block lists, never stale.
   */
  async acceptedContactsOf(userId: string, candidates: readonly string[]): Promise<string[]> {
    const accepted = await Promise.all(
      candidates.map(async (candidate) => {
        if (candidate === userId) return false;
        const { state } = await this.handler.load(streams.contact(directContactId(userId, candidate)));
        if (state.status !== 'added' || state.kind !== 'direct' || !state.members.includes(userId)) return false;
        return !(await this.blocks.hasBlocked(candidate, userId));
      }),
    );
    return candidates.filter((_, i) => accepted[i]);
  }

  private async endForBlock(blockerId: string, contactId: string, context: CommandContext): Promise<number | null> {
    const result = await this.handler.handle(
      streams.contact(contactId),
      { type: 'EndContactForBlock', data: { contactId, userId: blockerId, at: this.now() } },
      context,
    );
    // Rings and calls end even if the contact had ended already (a call is ended with it, this is a retry).
    const ended = await this.endOpenCall(contactId, blockerId, context);
    return latest(result.position, ended) || null;
  }

  /** A member left a group or was removed from it: out of its call too (the others stop sending to them). */
  leaveOpenCall(contactId: string, userId: string, context: CommandContext): Promise<number | null> {
    return this.calls ? this.calls.leaveOpenCall(contactId, userId, context) : Promise.resolve(null);
  }

  private endOpenCall(contactId: string, endedBy: string, context: CommandContext): Promise<number | null> {
    return this.calls ? this.calls.endOpenCall(contactId, endedBy, context) : Promise.resolve(null);
  }

  private async peerNamed(username: string): Promise<PublicUser> {
    const peerId = await this.accounts.findUserId(username).catch(() => null);
    const peer = peerId ? await this.accounts.findUser(peerId) : null;
    if (!peer) throw new DomainError('USER_NOT_FOUND', `No user named ${username}`);
    return peer;
  }

  private async peerIn(state: ContactState, userId: string): Promise<PublicUser> {
    const peerId = state.status === 'none' || state.kind === 'group' ? undefined : state.members.find((m) => m !== userId);
    const peer = peerId ? await this.accounts.findUser(peerId) : null;
    return peer ?? { id: peerId ?? '', username: '', displayName: '' };
  }

  /**
   * A stream not in this node's cache is only loaded for one of its members: its first event names them.
   * So a stranger's probe reads one event, whether the contact exists or not and however long it is (the
   * answer takes the same time), and cannot make the node load and cache long conversations. A group's
   * members may have joined after its first event, so a group is loaded and the decider answers; its id is
   * random (not computed from members), so only those who were shown it can probe it.
   */
  private async assertMayBeMember(userId: string, contactId: string): Promise<void> {
    const stream = streams.contact(contactId);
    if (this.handler.isCached(stream)) return;
    const [first] = await this.store.readStream(stream, { limit: 1 });
    if (first?.type === 'GroupCreated') return;
    const members = (first?.data as { members?: unknown } | undefined)?.members;
    if (!first || !Array.isArray(members) || !members.includes(userId)) throw contactNotFound();
  }

  private now() {
    return this.deps.clock.now().toISOString();
  }
}
