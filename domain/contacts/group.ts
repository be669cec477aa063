import { DomainError } from '../decider.js';
import { contactNotFound } from './contact-not-found.js';
import type { ContactState, MessageRecord } from './contact.js';
import type {
  GroupAdminAppointed,
  GroupCreated,
  GroupEvent,
  GroupMemberLeft,
  GroupMemberRemoved,
  GroupMembersAdded,
  GroupRenamed,
  GroupSettingsChanged,
} from './group-events.js';
import { groupTitle } from './group-title.js';
import { isMember, notAMember } from './membership.js';

export const GROUP_MIN_MEMBERS = 3;
export const GROUP_MAX_MEMBERS = 100;

/**
 * Group commands. Whom the caller may bring in comes from other aggregates (their contact streams and block
 * lists): `contactsOf…` lists those of the named users who are the caller's accepted contacts and have not
 * blocked them.
 */
export type CreateGroup = {
  type: 'CreateGroup';
  data: { contactId: string; title: string; memberIds: string[]; createdBy: string; membersMayAdd: boolean; contactsOfCreator: string[] };
};
export type RenameGroup = { type: 'RenameGroup'; data: { contactId: string; title: string; renamedBy: string } };
export type AddGroupMembers = {
  type: 'AddGroupMembers';
  data: { contactId: string; userIds: string[]; addedBy: string; contactsOfAdder: string[] };
};
/** Removing oneself is leaving. */
export type RemoveGroupMember = { type: 'RemoveGroupMember'; data: { contactId: string; userId: string; removedBy: string } };
export type LeaveGroup = { type: 'LeaveGroup'; data: { contactId: string; userId: string } };
export type ChangeGroupSettings = { type: 'ChangeGroupSettings'; data: { contactId: string; membersMayAdd: boolean; changedBy: string } };
export type GroupCommand = CreateGroup | RenameGroup | AddGroupMembers | RemoveGroupMember | LeaveGroup | ChangeGroupSettings;

/**
 * A group conversation. It has no consent step (its members are its creator's and adders' accepted
 * contacts), so it is `added` from its creation on, and stays so when its last member leaves.
 */
export type GroupConversation = {
  status: 'added';
  kind: 'group';
  contactId: string;
  title: string;
  /** Current members in the order they (last) joined: the first is the longest-standing. */
  members: Set<string>;
  /** Current members with the admin role. */
  admins: Set<string>;
  membersMayAdd: boolean;
  messages: Map<string, MessageRecord>;
  lastReadSeq: Map<string, number>;
  /**
   * Per member who joined after the creation: the seq of the first message sent after they (last) joined.
   * What came before is not theirs to see, so they may not reply or react to it.
   */
  joinedAtSeq: Map<string, number>;
};

export function decideGroup(command: GroupCommand, state: ContactState): GroupEvent[] {
  switch (command.type) {
    case 'CreateGroup':
      return createGroup(command, state);
    case 'RenameGroup':
      return renameGroup(command, groupOf(state, command.data.renamedBy));
    case 'AddGroupMembers':
      return addMembers(command, groupOf(state, command.data.addedBy));
    case 'RemoveGroupMember':
      return removeMember(command, groupOf(state, command.data.removedBy));
    case 'LeaveGroup':
      return withoutMember(groupOf(state, command.data.userId), command.data.userId, {
        type: 'GroupMemberLeft',
        data: { contactId: command.data.contactId, userId: command.data.userId },
      });
    case 'ChangeGroupSettings':
      return changeSettings(command, groupOf(state, command.data.changedBy));
  }
}

/** Evolves in place, as the contact decider does: a group's state is never copied per event. */
export function evolveGroup(state: ContactState, event: GroupEvent): ContactState {
  if (event.type === 'GroupCreated') return state.status === 'none' ? newGroup(event) : state;
  if (state.status === 'none' || state.kind !== 'group') return state;
  switch (event.type) {
    case 'GroupRenamed':
      state.title = event.data.title;
      return state;
    case 'GroupMembersAdded':
      for (const userId of event.data.userIds) {
        state.members.add(userId);
        state.joinedAtSeq.set(userId, state.messages.size);
      }
      return state;
    case 'GroupMemberRemoved':
    case 'GroupMemberLeft':
      state.members.delete(event.data.userId);
      state.admins.delete(event.data.userId);
      return state;
    case 'GroupAdminAppointed':
      if (state.members.has(event.data.userId)) state.admins.add(event.data.userId);
      return state;
    case 'GroupSettingsChanged':
      state.membersMayAdd = event.data.membersMayAdd;
      return state;
  }
}

function newGroup({ data }: GroupCreated): GroupConversation {
  return {
    status: 'added',
    kind: 'group',
    contactId: data.contactId,
    title: data.title,
    members: new Set(data.members),
    admins: new Set(data.admins),
    membersMayAdd: data.membersMayAdd,
    messages: new Map(),
    lastReadSeq: new Map(),
    joinedAtSeq: new Map(),
  };
}

/** A group the caller is a current member of. A direct conversation's member hears NOT_A_GROUP. */
function groupOf(state: ContactState, userId: string): GroupConversation {
  if (state.status === 'none') throw contactNotFound();
  if (!isMember(state, userId)) throw notAMember();
  if (state.kind !== 'group') throw new DomainError('NOT_A_GROUP', 'This conversation is not a group');
  return state;
}

function createGroup({ data }: CreateGroup, state: ContactState): GroupCreated[] {
  const { contactId, createdBy, membersMayAdd } = data;
  // A retried create (same id, same creator) appends nothing; anything else on an existing stream is not theirs.
  if (state.status !== 'none') {
    if (state.kind === 'group' && isMember(state, createdBy)) return [];
    throw notAMember();
  }
  const others = distinct(data.memberIds).filter((id) => id !== createdBy);
  if (createdBy.length === 0 || others.some((id) => id.length === 0)) throw new DomainError('INVALID_MEMBERS', 'A member id is empty');
  assertGroupSize(others.length + 1);
  assertContacts(others, data.contactsOfCreator);
  const title = groupTitle(data.title);
  return [
    {
      type: 'GroupCreated',
      data: { contactId, kind: 'group', title, members: [createdBy, ...others], admins: [createdBy], createdBy, membersMayAdd },
    },
  ];
}

function renameGroup({ data }: RenameGroup, group: GroupConversation): GroupRenamed[] {
  const title = groupTitle(data.title);
  if (title === group.title) return [];
  return [{ type: 'GroupRenamed', data: { contactId: group.contactId, title, renamedBy: data.renamedBy } }];
}

function addMembers({ data }: AddGroupMembers, group: GroupConversation): GroupMembersAdded[] {
  const { addedBy } = data;
  if (!group.membersMayAdd) assertAdmin(group, addedBy);
  const userIds = distinct(data.userIds);
  if (userIds.length === 0 || userIds.some((id) => id.length === 0))
    throw new DomainError('INVALID_MEMBERS', 'Name at least one member to add');
  const already = userIds.find((id) => group.members.has(id));
  if (already) throw new DomainError('ALREADY_A_MEMBER', `User ${already} is already a member of this group`);
  assertContacts(userIds, data.contactsOfAdder);
  assertGroupSize(group.members.size + userIds.length);
  return [{ type: 'GroupMembersAdded', data: { contactId: group.contactId, userIds, addedBy } }];
}

function removeMember(
  { data }: RemoveGroupMember,
  group: GroupConversation,
): Array<GroupMemberRemoved | GroupMemberLeft | GroupAdminAppointed> {
  const { contactId, userId, removedBy } = data;
  if (userId === removedBy) return withoutMember(group, userId, { type: 'GroupMemberLeft', data: { contactId, userId } });
  assertAdmin(group, removedBy);
  // Removing someone who is not (or no longer) a member is a retry: nothing to do.
  if (!group.members.has(userId)) return [];
  return withoutMember(group, userId, { type: 'GroupMemberRemoved', data: { contactId, userId, removedBy } });
}

/** The member goes; if they were the last admin, the longest-standing remaining member inherits the role. */
function withoutMember<E extends GroupMemberLeft | GroupMemberRemoved>(
  group: GroupConversation,
  userId: string,
  departure: E,
): Array<E | GroupAdminAppointed> {
  const adminsLeft = group.admins.size - (group.admins.has(userId) ? 1 : 0);
  if (adminsLeft > 0) return [departure];
  const heir = longestStandingOtherThan(group, userId);
  if (heir === undefined) return [departure];
  return [departure, { type: 'GroupAdminAppointed', data: { contactId: group.contactId, userId: heir, appointedBy: null } }];
}

function longestStandingOtherThan(group: GroupConversation, userId: string): string | undefined {
  for (const member of group.members) if (member !== userId) return member;
  return undefined;
}

function changeSettings({ data }: ChangeGroupSettings, group: GroupConversation): GroupSettingsChanged[] {
  assertAdmin(group, data.changedBy);
  if (group.membersMayAdd === data.membersMayAdd) return [];
  return [
    { type: 'GroupSettingsChanged', data: { contactId: group.contactId, membersMayAdd: data.membersMayAdd, changedBy: data.changedBy } },
  ];
}

function assertAdmin(group: GroupConversation, userId: string): void {
  if (!group.admins.has(userId)) throw new DomainError('NOT_GROUP_ADMIN', 'Only an admin of this group may do this');
}

function assertGroupSize(size: number): void {
  if (size < GROUP_MIN_MEMBERS) throw new DomainError('GROUP_TOO_SMALL', `A group has at least ${GROUP_MIN_MEMBERS} members, you included`);
  if (size > GROUP_MAX_MEMBERS) throw new DomainError('GROUP_TOO_LARGE', `A group has at most ${GROUP_MAX_MEMBERS} members`);
}

/** The same answer whether the user does not exist, is no contact, or has blocked the caller. */
function assertContacts(userIds: string[], contacts: string[]): void {
  const known = new Set(contacts);
  const stranger = userIds.find((id) => !known.has(id));
  if (stranger !== undefined)
    throw new DomainError(
      'MEMBER_NOT_A_CONTACT',
      `User ${stranger} is not one of your contacts: only your contacts can be added to a group`,
    );
}

function distinct(ids: string[]): string[] {
  return [...new Set(ids)];
}
