import { contactDecider, type ContactCommand, type ContactState } from '../../domain/contacts/contact.js';
import { contactNotFound } from '../../domain/contacts/contact-not-found.js';
import type { ContactEvent } from '../../domain/contacts/events.js';
import { DomainError } from '../../domain/decider.js';
import { streams } from '../../domain/events.js';
import type { AccountService } from '../accounts/account-service.js';
import type { PublicUser } from '../accounts/user.js';
import type { EventStore } from '../ports/event-store.js';
import type { Clock, IdGenerator } from '../shared/clock.js';
import type { CommandContext } from '../shared/command-context.js';
import { CommandHandler } from '../shared/command-handler.js';
import { directContactId } from './contact-id.js';

/** A non-member learns nothing about a contact, not even that it exists. */
const hideFromNonMembers = (error: unknown): never => {
  if (error instanceof DomainError && error.code === 'NOT_A_MEMBER') throw contactNotFound();
  throw error;
};

/** Contacts and the messages in them: every command goes through the `contact-<id>` stream's decider. */
export class ContactService {
  readonly handler: CommandHandler<ContactState, ContactCommand, ContactEvent>;

  constructor(
    private readonly store: EventStore,
    private readonly accounts: AccountService,
    private readonly deps: { clock: Clock; ids: IdGenerator },
  ) {
    this.handler = new CommandHandler(store, contactDecider, deps);
  }

  async addContact(userId: string, peerUsername: string, context: CommandContext): Promise<{ contact: { id: string; peer: PublicUser }; position: number }> {
    const peerId = await this.accounts.findUserId(peerUsername).catch(() => null);
    const peer = peerId ? await this.accounts.findUser(peerId) : null;
    if (!peer) throw new DomainError('USER_NOT_FOUND', `No user named ${peerUsername}`);
    const contactId = directContactId(userId, peer.id);
    const result = await this.handler.handle(
      streams.contact(contactId),
      { type: 'AddContact', data: { contactId, members: [userId, peer.id], addedBy: userId } },
      context,
    );
    return { contact: { id: contactId, peer }, position: result.position! };
  }

  async sendMessage(userId: string, contactId: string, input: { id?: string; text: string }, context: CommandContext) {
    await this.assertMayBeMember(userId, contactId);
    const messageId = input.id ?? this.deps.ids.newId();
    const result = await this.handler
      .handle(streams.contact(contactId), { type: 'SendMessage', data: { contactId, messageId, senderId: userId, text: input.text } }, context)
      .catch(hideFromNonMembers);
    return { messageId, duplicate: result.events.length === 0, position: result.position, sentAt: result.timestamp };
  }

  async editMessage(userId: string, contactId: string, messageId: string, text: string, context: CommandContext) {
    await this.assertMayBeMember(userId, contactId);
    const result = await this.handler
      .handle(streams.contact(contactId), { type: 'EditMessage', data: { contactId, messageId, editorId: userId, text } }, context)
      .catch(hideFromNonMembers);
    return { position: result.position, editedAt: result.timestamp };
  }

  async deleteMessage(userId: string, contactId: string, messageId: string, context: CommandContext) {
    await this.assertMayBeMember(userId, contactId);
    const result = await this.handler
      .handle(streams.contact(contactId), { type: 'DeleteMessage', data: { contactId, messageId, deletedBy: userId } }, context)
      .catch(hideFromNonMembers);
    return { position: result.position };
  }

  async markRead(userId: string, contactId: string, messageId: string, context: CommandContext) {
    await this.assertMayBeMember(userId, contactId);
    const result = await this.handler
      .handle(streams.contact(contactId), { type: 'MarkConversationRead', data: { contactId, userId, messageId } }, context)
      .catch(hideFromNonMembers);
    return { position: result.position };
  }

  /**
   * A stream not in this node's cache is only loaded for one of its members: its first event names them.
   * So a stranger's probe reads one event, whether the contact exists or not and however long it is (the
   * answer takes the same time), and cannot make the node load and cache long conversations.
   */
  private async assertMayBeMember(userId: string, contactId: string): Promise<void> {
    const stream = streams.contact(contactId);
    if (this.handler.isCached(stream)) return;
    const [added] = await this.store.readStream(stream, { limit: 1 });
    const members = (added?.data as { members?: unknown } | undefined)?.members;
    if (!added || !Array.isArray(members) || !members.includes(userId)) throw contactNotFound();
  }

  /** Members of a contact the user belongs to; CONTACT_NOT_FOUND otherwise (also for a stranger). */
  async membersFor(userId: string, contactId: string): Promise<readonly string[]> {
    await this.assertMayBeMember(userId, contactId);
    const { state } = await this.handler.load(streams.contact(contactId));
    if (state.status !== 'added' || !state.members.includes(userId)) throw contactNotFound();
    return state.members;
  }
}
