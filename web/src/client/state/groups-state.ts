import type { ConversationListItem, ConversationMember } from '../group-wire.js';
import { isGroupEventType } from '../group-wire.js';
import type { ActiveMeetingRef, FeedEvent, Message, User } from '../types.js';

/** A membership change, kept for the conversation's timeline ("Ann added Bob"). */
export type GroupNote = {
  /** The feed position: unique, and orders notes among themselves. */
  position: number;
  at: string;
  change:
    | { type: 'created'; by: string }
    | { type: 'renamed'; by: string; title: string }
    | { type: 'added'; by: string; userIds: string[] }
    | { type: 'removed'; by: string; userId: string }
    | { type: 'left'; userId: string }
    | { type: 'admin'; by: string | null; userId: string }
    | { type: 'settings'; by: string; membersMayAdd: boolean };
};

/** A group conversation as the list and the conversation view show it. */
export type Group = {
  id: string;
  kind: 'group';
  title: string;
  /** Current members, the user included while a member. */
  members: ConversationMember[];
  membersMayAdd: boolean;
  /** When the user's current membership began: history starts there. */
  joinedAt: string;
  lastMessage: Message | null;
  unreadCount: number;
  lastActivityAt: string;
  /** userId → the newest message they read, for the other members ("Seen by N"). */
  readMarks: Record<string, string>;
  activeMeeting: ActiveMeetingRef | null;
  /** The user left or was removed: what they saw stays readable here, nothing more arrives. */
  left: { at: string; removedBy: string | null } | null;
  /** Built from a feed event alone: member names and history wait for `GET /api/conversations/:id`. */
  partial: boolean;
  /** Everyone seen in this group (members past and present), for names in notes and bubbles. */
  names: Record<string, string>;
  notes: GroupNote[];
};

export const isGroupEvent = (event: FeedEvent) => isGroupEventType(event.type);

export type GroupContext = {
  me: User;
  /** The conversation on screen: its incoming messages are read, not unread. */
  openContactId: string | null;
  /** A user the client knows by name (a contact, or someone in another group). */
  knownUser: (userId: string) => User | null;
};

const byActivity = (groups: Group[]) => [...groups].sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt));

const namesOf = (members: readonly User[]) => Object.fromEntries(members.map((member) => [member.id, member.displayName]));

/** The group as the server lists it; `notes` and names the client already had carry over. */
export function groupFromServer(item: ConversationListItem, before?: Group): Group {
  const lastMessage = item.lastMessage ? { ...item.lastMessage, contactId: item.id } : null;
  return {
    id: item.id,
    kind: 'group',
    title: item.title ?? '',
    members: item.members,
    membersMayAdd: item.membersMayAdd,
    joinedAt: item.joinedAt,
    lastMessage,
    unreadCount: item.unreadCount,
    lastActivityAt: item.lastActivityAt,
    readMarks: Object.fromEntries(item.readMarks.map((mark) => [mark.userId, mark.messageId])),
    activeMeeting: item.activeMeeting
      ? { ...item.activeMeeting, state: item.activeMeeting.state === 'active' ? 'active' : 'ringing' }
      : null,
    left: null,
    partial: false,
    names: { ...before?.names, ...namesOf(item.members) },
    notes: before?.notes ?? [],
  };
}

/**
 * One group read again (`GET /api/conversations/:id`). A row built from events alone takes the server's;
 * a complete row keeps what live events made of it (they may be past the read) and takes only names.
 */
export function withServerGroup(groups: Group[], item: ConversationListItem): Group[] {
  const shown = groups.find((group) => group.id === item.id);
  if (!shown || shown.partial || shown.left)
    return byActivity([...groups.filter((group) => group.id !== item.id), groupFromServer(item, shown)]);
  const names = { ...shown.names, ...namesOf(item.members) };
  const members = shown.members.map((member) => ({ ...member, displayName: names[member.id] ?? member.displayName }));
  const usernames = new Map(item.members.map((member) => [member.id, member.username]));
  return groups.map((group) =>
    group === shown ? { ...shown, names, members: members.map((m) => ({ ...m, username: usernames.get(m.id) ?? m.username })) } : group,
  );
}

/**
 * The groups of a fresh list. Groups the user is no longer in stay (readable from the cache, as Signal
 * keeps them) and notes carry over.
 */
export function withGroupsSnapshot(groups: Group[], items: ConversationListItem[]): Group[] {
  const before = new Map(groups.map((group) => [group.id, group]));
  const listed = items.filter((item) => item.kind === 'group').map((item) => groupFromServer(item, before.get(item.id)));
  const ids = new Set(listed.map((group) => group.id));
  return byActivity([...listed, ...groups.filter((group) => group.left && !ids.has(group.id))]);
}

/** The groups a membership event asks the client to read from the server (it joined one, or met new people). */
export function groupsToRead(groups: Group[], event: FeedEvent, me: User): string[] {
  if (event.type === 'GroupCreated') return [event.data.contactId];
  if (event.type !== 'GroupMembersAdded') return [];
  const group = groups.find((row) => row.id === event.data.contactId);
  if (!group || group.partial || group.left || event.data.userIds.includes(me.id)) return [event.data.contactId];
  return event.data.userIds.some((id) => !group.names[id]) ? [event.data.contactId] : [];
}

function member(context: GroupContext, names: Record<string, string>, userId: string, role: 'admin' | 'member'): ConversationMember {
  const known = userId === context.me.id ? context.me : context.knownUser(userId);
  return { id: userId, username: known?.username ?? '', displayName: known?.displayName ?? names[userId] ?? 'Someone', role };
}

function withNote(group: Group, event: FeedEvent, at: string, change: GroupNote['change']): Group {
  if (group.notes.some((note) => note.position === event.position)) return group;
  return { ...group, notes: [...group.notes, { position: event.position, at, change }] };
}

function remember(group: Group, members: readonly User[]): Group {
  const names = { ...group.names };
  for (const person of members) if (person.displayName) names[person.id] = person.displayName;
  return { ...group, names };
}

function patch(groups: Group[], id: string, change: (group: Group) => Group): Group[] {
  let touched = false;
  const next = groups.map((group) => {
    if (group.id !== id) return group;
    touched = true;
    return change(group);
  });
  return touched ? byActivity(next) : groups;
}

const later = (a: string, b: string) => (a > b ? a : b);

/** Without one member; when it is the user, the group stays, marked as left. */
function withoutMember(group: Group, userId: string, at: string, removedBy: string | null, me: User): Group {
  if (userId === me.id) return { ...group, left: { at, removedBy }, activeMeeting: null };
  return { ...group, members: group.members.filter((m) => m.id !== userId) };
}

function applyMembership(groups: Group[], event: FeedEvent, context: GroupContext): Group[] {
  const { me } = context;
  switch (event.type) {
    case 'GroupCreated': {
      const data = event.data;
      // The creator's own row may come first, from the answer to the create: the event completes it.
      if (groups.some((group) => group.id === data.contactId))
        return patch(groups, data.contactId, (group) =>
          withNote({ ...group, membersMayAdd: data.membersMayAdd }, event, data.createdAt, { type: 'created', by: data.createdBy }),
        );
      const admins = new Set(data.admins);
      const names: Record<string, string> = {};
      const members = data.members.map((id) => member(context, names, id, admins.has(id) ? 'admin' : 'member'));
      const group: Group = {
        id: data.contactId,
        kind: 'group',
        title: data.title,
        members,
        membersMayAdd: data.membersMayAdd,
        joinedAt: data.createdAt,
        lastMessage: null,
        unreadCount: 0,
        lastActivityAt: data.createdAt,
        readMarks: {},
        activeMeeting: null,
        left: null,
        partial: members.some((m) => !m.username),
        names: namesOf(members.filter((m) => m.username)),
        notes: [{ position: event.position, at: data.createdAt, change: { type: 'created', by: data.createdBy } }],
      };
      return byActivity([...groups, group]);
    }
    case 'GroupRenamed': {
      const { contactId, title, renamedBy, renamedAt } = event.data;
      return patch(groups, contactId, (group) =>
        withNote({ ...group, title }, event, renamedAt, { type: 'renamed', by: renamedBy, title }),
      );
    }
    case 'GroupMembersAdded': {
      const { contactId, userIds, addedBy, addedAt } = event.data;
      const rejoined = userIds.includes(me.id);
      if (!groups.some((group) => group.id === contactId)) {
        if (!rejoined) return groups;
        // Added to a group the client never saw: a row to show at once, completed by the server's.
        const stub: Group = {
          id: contactId,
          kind: 'group',
          title: '',
          members: [],
          membersMayAdd: false,
          joinedAt: addedAt,
          lastMessage: null,
          unreadCount: 0,
          lastActivityAt: addedAt,
          readMarks: {},
          activeMeeting: null,
          left: null,
          partial: true,
          names: {},
          notes: [],
        };
        return byActivity([...groups, withNote(stub, event, addedAt, { type: 'added', by: addedBy, userIds })]);
      }
      return patch(groups, contactId, (group) => {
        const present = new Set(group.members.map((m) => m.id));
        const added = userIds.filter((id) => !present.has(id)).map((id) => member(context, group.names, id, 'member'));
        let next: Group = remember(
          { ...group, members: [...group.members, ...added], lastActivityAt: later(addedAt, group.lastActivityAt) },
          added.filter((m) => m.username),
        );
        if (rejoined) next = { ...next, left: null, joinedAt: addedAt, partial: true };
        return withNote(next, event, addedAt, { type: 'added', by: addedBy, userIds });
      });
    }
    case 'GroupMemberRemoved': {
      const { contactId, userId, removedBy, removedAt } = event.data;
      return patch(groups, contactId, (group) =>
        withNote(withoutMember(group, userId, removedAt, removedBy, me), event, removedAt, { type: 'removed', by: removedBy, userId }),
      );
    }
    case 'GroupMemberLeft': {
      const { contactId, userId, leftAt } = event.data;
      return patch(groups, contactId, (group) =>
        withNote(withoutMember(group, userId, leftAt, null, me), event, leftAt, { type: 'left', userId }),
      );
    }
    case 'GroupAdminAppointed': {
      const { contactId, userId, appointedBy, appointedAt } = event.data;
      return patch(groups, contactId, (group) =>
        withNote({ ...group, members: group.members.map((m) => (m.id === userId ? { ...m, role: 'admin' } : m)) }, event, appointedAt, {
          type: 'admin',
          by: appointedBy,
          userId,
        }),
      );
    }
    case 'GroupSettingsChanged': {
      const { contactId, membersMayAdd, changedBy, changedAt } = event.data;
      return patch(groups, contactId, (group) =>
        withNote({ ...group, membersMayAdd }, event, changedAt, { type: 'settings', by: changedBy, membersMayAdd }),
      );
    }
    default:
      return groups;
  }
}

/** How one feed event changes the user's groups. Events of a group the user left change nothing. */
export function applyToGroups(groups: Group[], event: FeedEvent, context: GroupContext): Group[] {
  if (isGroupEvent(event)) return applyMembership(groups, event, context);
  const contactId = (event.data as { contactId?: string }).contactId;
  const group = contactId ? groups.find((row) => row.id === contactId) : undefined;
  if (!group || group.left) return groups;
  switch (event.type) {
    case 'MessageSent': {
      const { contactId: id, messageId, senderId, text, sentAt, attachments } = event.data;
      return patch(groups, id, (row) => {
        if (row.lastMessage?.id === messageId) return row;
        const message: Message = { id: messageId, contactId: id, senderId, text, sentAt, editedAt: null, deleted: false, attachments };
        const unread = senderId !== context.me.id && context.openContactId !== id;
        return {
          ...row,
          lastMessage: message,
          lastActivityAt: later(sentAt, row.lastActivityAt),
          unreadCount: unread ? row.unreadCount + 1 : row.unreadCount,
        };
      });
    }
    case 'MessageEdited':
      return patch(groups, group.id, (row) =>
        row.lastMessage?.id === event.data.messageId
          ? { ...row, lastMessage: { ...row.lastMessage, text: event.data.text, editedAt: event.data.editedAt } }
          : row,
      );
    case 'MessageDeleted':
      return patch(groups, group.id, (row) =>
        row.lastMessage?.id === event.data.messageId ? { ...row, lastMessage: { ...row.lastMessage, text: '', deleted: true } } : row,
      );
    case 'ConversationRead': {
      const { userId, messageId } = event.data;
      return patch(groups, group.id, (row) =>
        userId === context.me.id ? { ...row, unreadCount: 0 } : { ...row, readMarks: { ...row.readMarks, [userId]: messageId } },
      );
    }
    case 'MeetingStarted':
      return patch(groups, group.id, (row) => ({
        ...row,
        activeMeeting: { id: event.data.meetingId, state: 'ringing', startedBy: event.data.startedBy },
      }));
    case 'ParticipantJoined':
      return patch(groups, group.id, (row) =>
        row.activeMeeting?.id === event.data.meetingId && row.activeMeeting.startedBy !== event.data.userId
          ? { ...row, activeMeeting: { ...row.activeMeeting, state: 'active' } }
          : row,
      );
    case 'MeetingEnded':
      return patch(groups, group.id, (row) => (row.activeMeeting?.id === event.data.meetingId ? { ...row, activeMeeting: null } : row));
    default:
      return groups;
  }
}

export function markGroupReadLocally(groups: Group[], groupId: string): Group[] {
  return patch(groups, groupId, (group) => (group.unreadCount === 0 ? group : { ...group, unreadCount: 0 }));
}

/** The name to show for someone in a group: theirs, "You" for the user, "Someone" when unknown. */
export function memberName(group: Group, userId: string, me: User | null, capital = true): string {
  if (me && userId === me.id) return capital ? 'You' : 'you';
  return group.members.find((m) => m.id === userId)?.displayName ?? group.names[userId] ?? 'Someone';
}

/** "Ann added Bob and Carl", "Carl left", "Dana is now an admin", "Ann renamed the group to “Trip”". */
export function noteText(group: Group, note: GroupNote, me: User | null): string {
  const name = (id: string, capital = true) => memberName(group, id, me, capital);
  const list = (ids: string[]) => {
    const names = ids.map((id) => name(id, false));
    return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  };
  const change = note.change;
  switch (change.type) {
    case 'created':
      return `${name(change.by)} created the group`;
    case 'renamed':
      return `${name(change.by)} renamed the group to “${change.title}”`;
    case 'added':
      return `${name(change.by)} added ${list(change.userIds)}`;
    case 'removed':
      return `${name(change.by)} removed ${name(change.userId, false)}`;
    case 'left':
      return `${name(change.userId)} left`;
    case 'admin':
      return me && change.userId === me.id ? 'You are now an admin' : `${name(change.userId)} is now an admin`;
    case 'settings':
      return `${name(change.by)} ${change.membersMayAdd ? 'let every member add people' : 'let only admins add people'}`;
  }
}

/** "Seen by N": the other members whose read mark is at or past the message, in the loaded history's order. */
export function seenByCount(group: Group, messages: readonly Message[], messageId: string, myId: string): number {
  const index = new Map(messages.map((message, at) => [message.id, at]));
  const target = index.get(messageId);
  if (target === undefined) return 0;
  const current = new Set(group.members.map((m) => m.id));
  return Object.entries(group.readMarks).filter(
    ([userId, read]) => userId !== myId && current.has(userId) && (index.get(read) ?? -1) >= target,
  ).length;
}

/** "Ann is typing", "Ann and Bob are typing", "3 people are typing". */
export function typingText(names: string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}

export const isAdmin = (group: Group, userId: string) => group.members.some((m) => m.id === userId && m.role === 'admin');

/** Whether the user may add members: admins always, others when the group allows it. */
export const mayAddMembers = (group: Group, userId: string) => !group.left && (group.membersMayAdd || isAdmin(group, userId));
