import { describe, expect, it } from 'vitest';
import { applyToContacts, conversationRows, type ContactsState } from '../../../web/src/client/state/contacts-state.js';
import type { ConversationListItem } from '../../../web/src/client/group-wire.js';
import {
  groupsToRead,
  mayAddMembers,
  noteText,
  seenByCount,
  typingText,
  withGroupsSnapshot,
  withServerGroup,
} from '../../../web/src/client/state/groups-state.js';
import { Typing } from '../../../web/src/client/typing.js';
import type { FeedEvent, User } from '../../../web/src/client/types.js';
import { alice, bob, contact, message, messageSent } from './fixtures.js';

const carl: User = { id: 'u-carl', username: 'carl', displayName: 'Carl' };
const dana: User = { id: 'u-dana', username: 'dana', displayName: 'Dana' };

const at = (minute: number) => `2024-05-01T10:${String(minute).padStart(2, '0')}:00.000Z`;

const created = (position = 1, members = [alice.id, bob.id, carl.id]): FeedEvent => ({
  type: 'GroupCreated',
  position,
  data: {
    contactId: 'g1',
    kind: 'group',
    title: 'Trip',
    members,
    admins: [alice.id],
    createdBy: alice.id,
    membersMayAdd: false,
    createdAt: at(1),
  },
});

/** Alice's list: Bob and Carl are her contacts (so their names are known), Dana is not. */
const aliceState = (): ContactsState => ({
  contacts: [contact({ id: 'c-bob', peer: bob }), contact({ id: 'c-carl', peer: carl, lastActivityAt: at(0) })],
  requests: [],
  presence: {},
  groups: [],
});

const apply = (state: ContactsState, events: FeedEvent[], me = alice, openContactId: string | null = null) =>
  events.reduce((next, event) => applyToContacts(next, event, { me, openContactId }), state);

const group = (state: ContactsState) => state.groups.find((row) => row.id === 'g1')!;

const serverItem = (overrides: Partial<ConversationListItem> = {}): ConversationListItem => ({
  id: 'g1',
  kind: 'group',
  title: 'Trip',
  peer: null,
  members: [
    { ...alice, role: 'admin' },
    { ...bob, role: 'member' },
    { ...dana, role: 'member' },
  ],
  membersMayAdd: true,
  joinedAt: at(1),
  lastMessage: null,
  unreadCount: 2,
  lastActivityAt: at(5),
  lastReadMessageId: null,
  readMarks: [{ userId: bob.id, messageId: 'm1' }],
  peerLastReadMessageId: null,
  activeMeeting: null,
  ...overrides,
});

describe('group conversations in the list', () => {
  it('a created group shows at once, named from the contacts, on top of older conversations', () => {
    const state = apply(aliceState(), [created()]);
    expect(conversationRows(state).map((row) => row.id)).toEqual(['g1', 'c-carl', 'c-bob']);
    expect(group(state)).toMatchObject({ title: 'Trip', partial: false, left: null, joinedAt: at(1) });
    expect(group(state).members.map((m) => [m.displayName, m.role])).toEqual([
      ['Alice', 'admin'],
      ['Bob', 'member'],
      ['Carl', 'member'],
    ]);
    expect(noteText(group(state), group(state).notes[0]!, alice)).toBe('You created the group');
  });

  it("the creator's row made from the answer to the create gets its note when the event follows", () => {
    const answered = withServerGroup(
      [],
      serverItem({
        members: [
          { ...alice, role: 'admin' },
          { ...bob, role: 'member' },
          { ...carl, role: 'member' },
        ],
      }),
    );
    const state = apply({ ...aliceState(), groups: answered }, [created(), created()]);
    expect(state.groups).toHaveLength(1);
    expect(group(state)).toMatchObject({ membersMayAdd: false, unreadCount: 2 });
    expect(group(state).notes.map((note) => noteText(group(state), note, alice))).toEqual(['You created the group']);
  });

  it('a member who is not a contact is named once the server is read', () => {
    const state = apply(aliceState(), [created(1, [alice.id, bob.id, dana.id])]);
    expect(group(state).partial).toBe(true);
    expect(groupsToRead(state.groups, created(1), alice)).toEqual(['g1']);
    const groups = withServerGroup(state.groups, serverItem());
    expect(groups[0]).toMatchObject({ partial: false, membersMayAdd: true, readMarks: { [bob.id]: 'm1' } });
    expect(groups[0]!.members.find((m) => m.id === dana.id)?.displayName).toBe('Dana');
  });

  it('messages move the group up and count unread, except own ones and in the open conversation', () => {
    let state = apply(aliceState(), [created()]);
    state = apply(state, [messageSent(2, 'm1', bob.id, at(10), 'c-carl')]);
    expect(conversationRows(state)[0]!.id).toBe('c-carl');
    state = apply(state, [messageSent(3, 'm2', bob.id, at(11), 'g1'), messageSent(4, 'm3', carl.id, at(12), 'g1')]);
    state = apply(state, [messageSent(5, 'm4', alice.id, at(13), 'g1')]);
    state = apply(state, [messageSent(6, 'm5', carl.id, at(14), 'g1')], alice, 'g1');
    expect(conversationRows(state)[0]!.id).toBe('g1');
    expect(group(state)).toMatchObject({ unreadCount: 2, lastMessage: { id: 'm5', senderId: carl.id } });
    state = apply(state, [
      { type: 'ConversationRead', position: 7, data: { contactId: 'g1', userId: alice.id, messageId: 'm5', readAt: at(15) } },
    ]);
    expect(group(state).unreadCount).toBe(0);
  });

  it('membership changes update members, roles and settings, each leaving a note for the timeline', () => {
    const events: FeedEvent[] = [
      created(),
      { type: 'GroupRenamed', position: 2, data: { contactId: 'g1', title: 'Trip 2', renamedBy: bob.id, renamedAt: at(2) } },
      { type: 'GroupMembersAdded', position: 3, data: { contactId: 'g1', userIds: [dana.id], addedBy: alice.id, addedAt: at(3) } },
      { type: 'GroupMemberRemoved', position: 4, data: { contactId: 'g1', userId: bob.id, removedBy: alice.id, removedAt: at(4) } },
      { type: 'GroupAdminAppointed', position: 5, data: { contactId: 'g1', userId: carl.id, appointedBy: alice.id, appointedAt: at(5) } },
      { type: 'GroupSettingsChanged', position: 6, data: { contactId: 'g1', membersMayAdd: true, changedBy: alice.id, changedAt: at(6) } },
      { type: 'GroupMemberLeft', position: 7, data: { contactId: 'g1', userId: carl.id, leftAt: at(7) } },
    ];
    const state = apply(aliceState(), [...events, events[2]!]);
    const row = group(state);
    expect(row).toMatchObject({ title: 'Trip 2', membersMayAdd: true, left: null });
    expect(row.members.map((m) => m.id)).toEqual([alice.id, dana.id]);
    expect(row.notes.map((note) => noteText(row, note, alice))).toEqual([
      'You created the group',
      'Bob renamed the group to “Trip 2”',
      'You added Someone',
      'You removed Bob',
      'Carl is now an admin',
      'You let every member add people',
      'Carl left',
    ]);
  });

  it('an admin handed over when the last admin leaves is said as such', () => {
    const state = apply(aliceState(), [
      created(),
      { type: 'GroupMemberLeft', position: 2, data: { contactId: 'g1', userId: alice.id, leftAt: at(2) } },
    ]);
    const bobs = apply(
      { ...aliceState(), contacts: [contact({ id: 'c-alice', peer: alice })] },
      [
        created(),
        { type: 'GroupMemberLeft', position: 2, data: { contactId: 'g1', userId: alice.id, leftAt: at(2) } },
        { type: 'GroupAdminAppointed', position: 3, data: { contactId: 'g1', userId: bob.id, appointedBy: null, appointedAt: at(2) } },
      ],
      bob,
    );
    expect(group(state).left).toEqual({ at: at(2), removedBy: null });
    const row = group(bobs);
    expect(row.notes.map((note) => noteText(row, note, bob))).toEqual(['Alice created the group', 'Alice left', 'You are now an admin']);
    expect(mayAddMembers(row, bob.id)).toBe(true);
    expect(mayAddMembers(row, carl.id)).toBe(false);
  });

  it('a removed member keeps the group, marked left, and later messages change nothing', () => {
    let state = apply(aliceState(), [created(), messageSent(2, 'm1', bob.id, at(2), 'g1')], carl);
    state = apply(
      state,
      [{ type: 'GroupMemberRemoved', position: 3, data: { contactId: 'g1', userId: carl.id, removedBy: alice.id, removedAt: at(3) } }],
      carl,
    );
    const before = group(state);
    expect(before.left).toEqual({ at: at(3), removedBy: alice.id });
    state = apply(state, [messageSent(4, 'm2', bob.id, at(4), 'g1')], carl);
    expect(group(state)).toBe(before);
    // A fresh list without it keeps the left group readable; added again, it is read from the server anew.
    expect(withGroupsSnapshot(state.groups, []).map((row) => row.id)).toEqual(['g1']);
    const readded: FeedEvent = {
      type: 'GroupMembersAdded',
      position: 5,
      data: { contactId: 'g1', userIds: [carl.id], addedBy: alice.id, addedAt: at(5) },
    };
    state = apply(state, [readded], carl);
    expect(group(state)).toMatchObject({ left: null, joinedAt: at(5), partial: true });
    expect(groupsToRead(state.groups, readded, carl)).toEqual(['g1']);
  });

  it('someone added to a group they never saw gets a row at once, completed from the server', () => {
    const added: FeedEvent = {
      type: 'GroupMembersAdded',
      position: 9,
      data: { contactId: 'g1', userIds: [dana.id], addedBy: alice.id, addedAt: at(9) },
    };
    const state = apply({ ...aliceState(), contacts: [] }, [added], dana);
    expect(group(state)).toMatchObject({ partial: true, joinedAt: at(9) });
    expect(groupsToRead(state.groups, added, dana)).toEqual(['g1']);
    const groups = withServerGroup(state.groups, serverItem({ joinedAt: at(9) }));
    expect(groups[0]).toMatchObject({ title: 'Trip', partial: false, unreadCount: 2 });
    expect(groups[0]!.notes).toHaveLength(1);
  });
});

describe('group receipts and typing', () => {
  it('"Seen by N" counts the other current members whose read mark is at or past the message', () => {
    const messages = [message('m1', alice.id), message('m2', bob.id), message('m3', alice.id), message('m4', carl.id)];
    let state = apply(aliceState(), [created(1, [alice.id, bob.id, carl.id, dana.id])]);
    const read = (position: number, userId: string, messageId: string): FeedEvent => ({
      type: 'ConversationRead',
      position,
      data: { contactId: 'g1', userId, messageId, readAt: at(position) },
    });
    state = apply(state, [read(2, bob.id, 'm3'), read(3, carl.id, 'm4'), read(4, dana.id, 'm2')]);
    expect(seenByCount(group(state), messages, 'm3', alice.id)).toBe(2);
    expect(seenByCount(group(state), messages, 'm1', alice.id)).toBe(3);
    state = apply(state, [{ type: 'GroupMemberLeft', position: 5, data: { contactId: 'g1', userId: carl.id, leftAt: at(5) } }]);
    expect(seenByCount(group(state), messages, 'm3', alice.id)).toBe(1);
  });

  it('says who is typing by name, up to two, then how many', () => {
    expect(typingText([])).toBe('');
    expect(typingText(['Ann'])).toBe('Ann is typing…');
    expect(typingText(['Ann', 'Bob'])).toBe('Ann and Bob are typing…');
    expect(typingText(['Ann', 'Bob', 'Carl'])).toBe('3 people are typing…');
  });

  it('keeps who types per group; a message stops only its sender', () => {
    let now = 0;
    const typing = new Typing(() => new Date(now));
    typing.started('g1', bob.id);
    typing.started('g1', carl.id);
    expect(Object.keys(typing.people.value.g1!)).toEqual([bob.id, carl.id]);
    typing.stopped('g1', bob.id);
    expect(Object.keys(typing.people.value.g1!)).toEqual([carl.id]);
    expect(typing.state.value.g1).toBeGreaterThan(0);
    typing.stopped('g1', carl.id);
    expect(typing.people.value.g1).toBeUndefined();
    expect(typing.state.value.g1).toBeUndefined();
    now = 1;
    typing.clear();
  });
});
