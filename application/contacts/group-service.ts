import type { ContactCommand } from '../../domain/contacts/contact.js';
import { GROUP_MAX_MEMBERS, type GroupConversation } from '../../domain/contacts/group.js';
import { streams } from '../../domain/events.js';
import type { AccountService } from '../accounts/account-service.js';
import type { IdGenerator } from '../shared/clock.js';
import type { CommandContext } from '../shared/command-context.js';
import type { ContactService } from './contact-service.js';

export type GroupMemberRole = 'admin' | 'member';
export type GroupMemberView = { id: string; username: string; displayName: string; role: GroupMemberRole };

/**
 * Group conversations (docs/groups.md): the `contact-<id>` streams of groups, through the contacts slice's
 * command handler (one cache and one lock per stream with the messages sent in them). Whom a member may
 * bring in is what their direct contacts and the block lists say at that moment.
 */
export class GroupService {
  constructor(
    private readonly contacts: ContactService,
    private readonly accounts: AccountService,
    private readonly deps: { ids: IdGenerator },
  ) {}

  /** `POST /api/conversations`: a new group of the creator and `memberIds` (their accepted contacts), under a random id. */
  async createGroup(userId: string, input: { title: string; memberIds: string[]; membersMayAdd: boolean }, context: CommandContext) {
    const contactId = this.deps.ids.newId();
    // Too many to be a group: the decider says so without a look at anyone's contacts.
    const tooMany = new Set([userId, ...input.memberIds]).size > GROUP_MAX_MEMBERS;
    const contactsOfCreator = tooMany ? [] : await this.contacts.acceptedContactsOf(userId, input.memberIds);
    const result = await this.contacts.handler.handle(
      streams.contact(contactId),
      { type: 'CreateGroup', data: { contactId, createdBy: userId, contactsOfCreator, ...input } },
      context,
    );
    const group = result.state as GroupConversation;
    return {
      conversation: { id: contactId, kind: 'group' as const, title: group.title, members: await this.memberViews(group) },
      position: result.position!,
    };
  }

  async renameGroup(userId: string, contactId: string, title: string, context: CommandContext) {
    return this.command(userId, contactId, { type: 'RenameGroup', data: { contactId, title, renamedBy: userId } }, context);
  }

  async changeSettings(userId: string, contactId: string, membersMayAdd: boolean, context: CommandContext) {
    return this.command(userId, contactId, { type: 'ChangeGroupSettings', data: { contactId, membersMayAdd, changedBy: userId } }, context);
  }

  async addMembers(userId: string, contactId: string, userIds: string[], context: CommandContext) {
    // Membership is checked first: a non-member's probe learns nothing about whose contacts these are.
    await this.contacts.membersFor(userId, contactId);
    const contactsOfAdder = await this.contacts.acceptedContactsOf(userId, userIds);
    return this.command(
      userId,
      contactId,
      { type: 'AddGroupMembers', data: { contactId, userIds, addedBy: userId, contactsOfAdder } },
      context,
    );
  }

  /** Removing oneself is leaving. Who is out of the group is out of its call too. */
  async removeMember(userId: string, contactId: string, memberId: string, context: CommandContext) {
    const result = await this.command(
      userId,
      contactId,
      { type: 'RemoveGroupMember', data: { contactId, userId: memberId, removedBy: userId } },
      context,
    );
    return this.outOfTheCall(contactId, memberId, result, context);
  }

  async leaveGroup(userId: string, contactId: string, context: CommandContext) {
    const result = await this.command(userId, contactId, { type: 'LeaveGroup', data: { contactId, userId } }, context);
    return this.outOfTheCall(contactId, userId, result, context);
  }

  /** Also on a repeat (nothing left to remove): a node may have died between the removal and this. */
  private async outOfTheCall(contactId: string, userId: string, result: { position: number | null }, context: CommandContext) {
    const left = await this.contacts.leaveOpenCall(contactId, userId, context);
    return { position: left === null ? result.position : Math.max(result.position ?? 0, left) };
  }

  private async command(userId: string, contactId: string, command: ContactCommand, context: CommandContext) {
    const result = await this.contacts.commandAsMember(userId, contactId, command, context);
    return { position: result.position };
  }

  private async memberViews(group: GroupConversation): Promise<GroupMemberView[]> {
    return Promise.all(
      [...group.members].map(async (id) => {
        const user = await this.accounts.findUser(id);
        const role: GroupMemberRole = group.admins.has(id) ? 'admin' : 'member';
        return { id, username: user?.username ?? '', displayName: user?.displayName ?? '', role };
      }),
    );
  }
}
