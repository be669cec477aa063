import { describe, expect, it } from 'vitest';
import { DeciderSpecification } from '../../test/support/decider-specification.js';
import { contactDecider, type ContactCommand } from './contact.js';
import type { ContactEvent } from './events.js';
import type { GroupAdminAppointed, GroupCreated, GroupMemberLeft, GroupMemberRemoved, GroupMembersAdded } from './group-events.js';

const spec = DeciderSpecification.for(contactDecider);

const contactId = 'group-1';
const [ada, bob, cyd, dan, eve, fay] = ['ada', 'bob', 'cyd', 'dan', 'eve', 'fay'];

const createGroup = (
  memberIds: string[],
  options: { createdBy?: string; title?: string; membersMayAdd?: boolean; contactsOfCreator?: string[] } = {},
): ContactCommand => ({
  type: 'CreateGroup',
  data: {
    contactId,
    title: options.title ?? 'Climbing',
    memberIds,
    createdBy: options.createdBy ?? ada,
    membersMayAdd: options.membersMayAdd ?? true,
    contactsOfCreator: options.contactsOfCreator ?? memberIds,
  },
});
const rename = (renamedBy: string, title: string): ContactCommand => ({ type: 'RenameGroup', data: { contactId, title, renamedBy } });
const addMembers = (addedBy: string, userIds: string[], contactsOfAdder = userIds): ContactCommand => ({
  type: 'AddGroupMembers',
  data: { contactId, userIds, addedBy, contactsOfAdder },
});
const removeMember = (removedBy: string, userId: string): ContactCommand => ({
  type: 'RemoveGroupMember',
  data: { contactId, userId, removedBy },
});
const leave = (userId: string): ContactCommand => ({ type: 'LeaveGroup', data: { contactId, userId } });
const changeSettings = (changedBy: string, membersMayAdd: boolean): ContactCommand => ({
  type: 'ChangeGroupSettings',
  data: { contactId, membersMayAdd, changedBy },
});
const send = (messageId: string, senderId: string): ContactCommand => ({
  type: 'SendMessage',
  data: { contactId, messageId, senderId, text: 'hello' },
});

const created = (members = [ada, bob, cyd], options: { title?: string; membersMayAdd?: boolean } = {}): GroupCreated => ({
  type: 'GroupCreated',
  data: {
    contactId,
    kind: 'group',
    title: options.title ?? 'Climbing',
    members,
    admins: [members[0]],
    createdBy: members[0],
    membersMayAdd: options.membersMayAdd ?? true,
  },
});
const added = (addedBy: string, userIds: string[]): GroupMembersAdded => ({
  type: 'GroupMembersAdded',
  data: { contactId, userIds, addedBy },
});
const removed = (removedBy: string, userId: string): GroupMemberRemoved => ({
  type: 'GroupMemberRemoved',
  data: { contactId, userId, removedBy },
});
const left = (userId: string): GroupMemberLeft => ({ type: 'GroupMemberLeft', data: { contactId, userId } });
const appointed = (userId: string, appointedBy: string | null = null): GroupAdminAppointed => ({
  type: 'GroupAdminAppointed',
  data: { contactId, userId, appointedBy },
});
const sent = (messageId: string, senderId: string): ContactEvent => ({
  type: 'MessageSent',
  data: { contactId, messageId, senderId, text: 'hello' },
});
const users = (count: number, prefix = 'u') => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

describe('creating a group', () => {
  it('makes its creator the first admin and keeps the members in the order given, creator first', () => {
    spec
      .given([])
      .when(createGroup([bob, cyd], { membersMayAdd: false }))
      .then([created([ada, bob, cyd], { membersMayAdd: false })]);
  });

  it('counts the creator once, however often they are named, and each member once', () => {
    spec
      .given([])
      .when(createGroup([ada, bob, bob, cyd]))
      .then([created([ada, bob, cyd])]);
  });

  it('keeps the title trimmed', () => {
    spec
      .given([])
      .when(createGroup([bob, cyd], { title: '  Climbing \t' }))
      .then([created([ada, bob, cyd])]);
  });

  it('needs at least three members, the creator included', () => {
    spec
      .given([])
      .when(createGroup([bob]))
      .thenThrows('GROUP_TOO_SMALL');
    spec
      .given([])
      .when(createGroup([bob, ada]))
      .thenThrows('GROUP_TOO_SMALL');
  });

  it('takes at most a hundred members, the creator included', () => {
    spec
      .given([])
      .when(createGroup(users(99)))
      .then([created([ada, ...users(99)])]);
    spec
      .given([])
      .when(createGroup(users(100)))
      .thenThrows('GROUP_TOO_LARGE');
  });

  it("takes only the creator's accepted contacts who have not blocked them", () => {
    spec
      .given([])
      .when(createGroup([bob, cyd, eve], { contactsOfCreator: [bob, cyd] }))
      .thenThrows('MEMBER_NOT_A_CONTACT');
  });

  it.each([
    ['empty', ''],
    ['only whitespace', '   '],
    ['101 characters long', 'x'.repeat(101)],
    ['on two lines', 'Climbing\nclub'],
    ['holding a control character', 'Climb\u0007ing'],
  ])('refuses a title that is %s', (_case, title) => {
    spec
      .given([])
      .when(createGroup([bob, cyd], { title }))
      .thenThrows('INVALID_GROUP_TITLE');
  });

  it('accepts a title of 100 characters, counting characters', () => {
    const title = '🧗'.repeat(100);
    spec
      .given([])
      .when(createGroup([bob, cyd], { title }))
      .then([created([ada, bob, cyd], { title })]);
  });

  it('appends nothing for a retried create, and refuses the id to anyone else', () => {
    spec
      .given([created()])
      .when(createGroup([bob, cyd]))
      .then([]);
    spec
      .given([created()])
      .when(createGroup([bob, cyd], { createdBy: eve }))
      .thenThrows('NOT_A_MEMBER');
  });
});

describe('renaming a group', () => {
  it('is open to any member', () => {
    spec
      .given([created()])
      .when(rename(cyd, ' Bouldering '))
      .then([{ type: 'GroupRenamed', data: { contactId, title: 'Bouldering', renamedBy: cyd } }]);
  });

  it('appends nothing when the title does not change', () => {
    spec.given([created()]).when(rename(bob, 'Climbing ')).then([]);
  });

  it('refuses an invalid title', () => {
    spec.given([created()]).when(rename(bob, ' ')).thenThrows('INVALID_GROUP_TITLE');
  });
});

describe('adding members', () => {
  it('is open to any member while members may add', () => {
    spec
      .given([created()])
      .when(addMembers(bob, [dan, eve]))
      .then([added(bob, [dan, eve])]);
  });

  it('is for admins only once the admins have said so', () => {
    const given = [created(), { type: 'GroupSettingsChanged', data: { contactId, membersMayAdd: false, changedBy: ada } } as ContactEvent];
    spec
      .given(given)
      .when(addMembers(bob, [dan]))
      .thenThrows('NOT_GROUP_ADMIN');
    spec
      .given(given)
      .when(addMembers(ada, [dan]))
      .then([added(ada, [dan])]);
  });

  it("takes only the adder's accepted contacts who have not blocked them", () => {
    spec
      .given([created()])
      .when(addMembers(bob, [dan, eve], [dan]))
      .thenThrows('MEMBER_NOT_A_CONTACT');
  });

  it('refuses someone who is a member already', () => {
    spec
      .given([created()])
      .when(addMembers(bob, [dan, cyd]))
      .thenThrows('ALREADY_A_MEMBER');
  });

  it('refuses an empty list', () => {
    spec.given([created()]).when(addMembers(bob, [])).thenThrows('INVALID_MEMBERS');
  });

  it('keeps a group at a hundred members at most', () => {
    const members = [ada, ...users(98)];
    spec
      .given([created(members)])
      .when(addMembers(ada, [bob]))
      .then([added(ada, [bob])]);
    spec
      .given([created(members)])
      .when(addMembers(ada, [bob, cyd]))
      .thenThrows('GROUP_TOO_LARGE');
  });
});

describe('removing a member and leaving', () => {
  it('lets an admin remove a member', () => {
    spec
      .given([created()])
      .when(removeMember(ada, bob))
      .then([removed(ada, bob)]);
  });

  it('refuses a removal by a member who is no admin', () => {
    spec.given([created()]).when(removeMember(bob, cyd)).thenThrows('NOT_GROUP_ADMIN');
  });

  it('appends nothing when the one removed is no longer a member', () => {
    spec
      .given([created(), left(bob)])
      .when(removeMember(ada, bob))
      .then([]);
  });

  it('lets any member leave', () => {
    spec
      .given([created()])
      .when(leave(bob))
      .then([left(bob)]);
  });

  it('takes removing oneself as leaving, admin or not', () => {
    spec
      .given([created()])
      .when(removeMember(bob, bob))
      .then([left(bob)]);
    spec
      .given([created()])
      .when(removeMember(ada, ada))
      .then([left(ada), appointed(bob)]);
  });

  it('hands the admin role to the longest-standing remaining member when the last admin leaves', () => {
    spec
      .given([created([ada, bob, cyd, dan])])
      .when(leave(ada))
      .then([left(ada), appointed(bob)]);
  });

  it('counts standing from the latest joining: a member who left and came back stands behind the others', () => {
    spec
      .given([created([ada, bob, cyd, dan]), left(bob), added(cyd, [bob])])
      .when(leave(ada))
      .then([left(ada), appointed(cyd)]);
  });

  it('appoints no one while another admin remains', () => {
    spec
      .given([created([ada, bob, cyd, dan]), left(ada), appointed(bob), appointed(cyd, bob)])
      .when(leave(bob))
      .then([left(bob)]);
  });

  it('lets the last member leave, leaving an empty group that no one can use', () => {
    const emptied = [created(), left(bob), left(cyd), left(ada)];
    spec
      .given([created(), left(bob), left(cyd)])
      .when(leave(ada))
      .then([left(ada)]);
    spec.given(emptied).when(send('m1', ada)).thenThrows('NOT_A_MEMBER');
    spec
      .given(emptied)
      .when(addMembers(ada, [bob]))
      .thenThrows('NOT_A_MEMBER');
  });

  it('gives the role to the next in line when an admin who inherited it leaves too', () => {
    spec
      .given([created([ada, bob, cyd, dan]), left(ada), appointed(bob)])
      .when(leave(bob))
      .then([left(bob), appointed(cyd)]);
  });
});

describe('settings', () => {
  it('are changed by admins only', () => {
    spec
      .given([created()])
      .when(changeSettings(ada, false))
      .then([{ type: 'GroupSettingsChanged', data: { contactId, membersMayAdd: false, changedBy: ada } }]);
    spec.given([created()]).when(changeSettings(bob, false)).thenThrows('NOT_GROUP_ADMIN');
  });

  it('append nothing when nothing changes', () => {
    spec.given([created()]).when(changeSettings(ada, true)).then([]);
  });

  it('follow the admin role when it is inherited', () => {
    spec
      .given([created(), left(ada), appointed(bob)])
      .when(changeSettings(bob, false))
      .then([{ type: 'GroupSettingsChanged', data: { contactId, membersMayAdd: false, changedBy: bob } }]);
  });
});

describe('messages in a group', () => {
  const inGroup = [created(), sent('m1', bob)];

  it('any member may send, edit and delete their own, and mark read', () => {
    spec
      .given(inGroup)
      .when(send('m2', cyd))
      .then([sent('m2', cyd)]);
    spec
      .given(inGroup)
      .when({ type: 'EditMessage', data: { contactId, messageId: 'm1', editorId: bob, text: 'changed' } })
      .then([{ type: 'MessageEdited', data: { contactId, messageId: 'm1', editorId: bob, text: 'changed' } }]);
    spec
      .given(inGroup)
      .when({ type: 'DeleteMessage', data: { contactId, messageId: 'm1', deletedBy: bob } })
      .then([{ type: 'MessageDeleted', data: { contactId, messageId: 'm1', deletedBy: bob } }]);
    spec
      .given(inGroup)
      .when({ type: 'MarkConversationRead', data: { contactId, userId: cyd, messageId: 'm1' } })
      .then([{ type: 'ConversationRead', data: { contactId, userId: cyd, messageId: 'm1' } }]);
  });

  it('lets only the sender change a message, admins included', () => {
    spec
      .given(inGroup)
      .when({ type: 'EditMessage', data: { contactId, messageId: 'm1', editorId: ada, text: 'changed' } })
      .thenThrows('NOT_MESSAGE_SENDER');
    spec
      .given(inGroup)
      .when({ type: 'DeleteMessage', data: { contactId, messageId: 'm1', deletedBy: ada } })
      .thenThrows('NOT_MESSAGE_SENDER');
  });

  const everyCommandBy = (userId: string): [string, ContactCommand][] => [
    ['SendMessage', send('m2', userId)],
    ['EditMessage', { type: 'EditMessage', data: { contactId, messageId: 'm1', editorId: userId, text: 'changed' } }],
    ['DeleteMessage', { type: 'DeleteMessage', data: { contactId, messageId: 'm1', deletedBy: userId } }],
    ['MarkConversationRead', { type: 'MarkConversationRead', data: { contactId, userId, messageId: 'm1' } }],
    ['RenameGroup', rename(userId, 'Mine now')],
    ['AddGroupMembers', addMembers(userId, [fay])],
    ['RemoveGroupMember', removeMember(userId, cyd)],
    ['LeaveGroup', leave(userId)],
    ['ChangeGroupSettings', changeSettings(userId, false)],
  ];

  it.each(everyCommandBy(eve))('%s is refused to a stranger as to any non-member', (_name, command) => {
    spec.given(inGroup).when(command).thenThrows('NOT_A_MEMBER');
  });

  it.each(everyCommandBy(bob))('%s is refused to a member who left, even on their own messages', (_name, command) => {
    spec
      .given([...inGroup, left(bob)])
      .when(command)
      .thenThrows('NOT_A_MEMBER');
  });

  it.each(everyCommandBy(bob))('%s is refused to a member who was removed', (_name, command) => {
    spec
      .given([...inGroup, removed(ada, bob)])
      .when(command)
      .thenThrows('NOT_A_MEMBER');
  });

  it('lets a member who was added back send again and change what they sent before', () => {
    const back = [...inGroup, removed(ada, bob), added(cyd, [bob])];
    spec
      .given(back)
      .when(send('m2', bob))
      .then([sent('m2', bob)]);
    spec
      .given(back)
      .when({ type: 'EditMessage', data: { contactId, messageId: 'm1', editorId: bob, text: 'changed' } })
      .then([{ type: 'MessageEdited', data: { contactId, messageId: 'm1', editorId: bob, text: 'changed' } }]);
  });

  it('gives a member who was added back no admin role they held before', () => {
    spec
      .given([created([ada, bob, cyd, dan]), appointed(bob, ada), removed(ada, bob), added(ada, [bob])])
      .when(changeSettings(bob, false))
      .thenThrows('NOT_GROUP_ADMIN');
  });
});

describe('a group and the commands of a direct contact', () => {
  it.each<[string, ContactCommand]>([
    ['AcceptContactRequest', { type: 'AcceptContactRequest', data: { contactId, userId: bob } }],
    ['DeclineContactRequest', { type: 'DeclineContactRequest', data: { contactId, userId: bob, at: '2026-12-01T00:00:00.000Z' } }],
    ['EndContact', { type: 'EndContact', data: { contactId, userId: bob } }],
  ])('%s finds no such contact', (_name, command) => {
    spec.given([created()]).when(command).thenThrows('CONTACT_NOT_FOUND');
  });

  it('a block between two members ends nothing in the group', () => {
    spec
      .given([created()])
      .when({ type: 'EndContactForBlock', data: { contactId, userId: bob, at: '2026-12-01T00:00:00.000Z' } })
      .then([]);
  });

  it('group commands on a direct contact answer NOT_A_GROUP to its members, and not found to others', () => {
    const direct: ContactEvent[] = [{ type: 'ContactAdded', data: { contactId, kind: 'direct', members: [ada, bob], addedBy: ada } }];
    spec.given(direct).when(rename(ada, 'Pair')).thenThrows('NOT_A_GROUP');
    spec
      .given(direct)
      .when(addMembers(ada, [cyd]))
      .thenThrows('NOT_A_GROUP');
    spec.given(direct).when(leave(bob)).thenThrows('NOT_A_GROUP');
    spec.given(direct).when(rename(eve, 'Pair')).thenThrows('NOT_A_MEMBER');
    spec.given([]).when(rename(ada, 'Pair')).thenThrows('CONTACT_NOT_FOUND');
  });
});

describe('group state', () => {
  it('keeps the current members in joining order and the admins as sets', () => {
    const state = [created([ada, bob, cyd, dan]), left(bob), added(cyd, [bob, eve]), left(ada), appointed(cyd)].reduce(
      contactDecider.evolve,
      contactDecider.initialState(),
    );
    expect(state).toMatchObject({ kind: 'group', status: 'added', members: new Set([cyd, dan, bob, eve]), admins: new Set([cyd]) });
  });
});
