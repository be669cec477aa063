import { describe, expect, it } from 'vitest';
import { applyToContacts, isOnline, setPresence, type ContactsState } from '../../../web/src/client/state/contacts-state.js';
import {
  applyToConversation,
  emptyConversation,
  seenMessageId,
  shownMessages,
  withLatestPage,
  withMessage,
  withOlderPage,
} from '../../../web/src/client/state/conversation-state.js';
import {
  applyToMeetings,
  emptyMeetings,
  markDeclined,
  nextRingDeadline,
  ringingFor,
} from '../../../web/src/client/state/meetings-state.js';
import type { OutboxEntry } from '../../../web/src/client/sync/outbox.js';
import type { FeedEvent } from '../../../web/src/client/types.js';
import { alice, bob, contact, message, messageSent } from './fixtures.js';

describe('contact list state', () => {
  const state = (contacts = [contact(), contact({ id: 'c2', lastActivityAt: '2024-05-01T09:30:00.000Z' })]): ContactsState => ({
    contacts,
    requests: [],
    presence: {},
    groups: [],
  });

  it('puts the contact with the newest message first and counts it unread', () => {
    const next = applyToContacts(state(), messageSent(5, 'm1', bob.id), { me: alice, openContactId: null });
    expect(next.contacts.map((c) => c.id)).toEqual(['c1', 'c2']);
    expect(next.contacts[0]).toMatchObject({ unreadCount: 1, lastMessage: { id: 'm1', text: 'text of m1' } });
  });

  it('does not count own messages, messages in the open conversation, or the same message twice', () => {
    let next = applyToContacts(state(), messageSent(5, 'm1', alice.id), { me: alice, openContactId: null });
    next = applyToContacts(next, messageSent(6, 'm2', bob.id), { me: alice, openContactId: 'c1' });
    next = applyToContacts(next, messageSent(7, 'm3', bob.id), { me: alice, openContactId: null });
    next = applyToContacts(next, messageSent(7, 'm3', bob.id), { me: alice, openContactId: null });
    expect(next.contacts[0].unreadCount).toBe(1);
  });

  it('clears unread when I read, and records how far the peer read', () => {
    let next = applyToContacts(
      state([contact({ unreadCount: 3 })]),
      {
        type: 'ConversationRead',
        position: 1,
        data: { contactId: 'c1', userId: alice.id, messageId: 'm1', readAt: '2024-05-01T10:00:00Z' },
      },
      { me: alice, openContactId: null },
    );
    next = applyToContacts(
      next,
      {
        type: 'ConversationRead',
        position: 2,
        data: { contactId: 'c1', userId: bob.id, messageId: 'm9', readAt: '2024-05-01T10:00:00Z' },
      },
      { me: alice, openContactId: null },
    );
    expect(next.contacts[0]).toMatchObject({ unreadCount: 0, peerLastReadMessageId: 'm9' });
  });

  it('marks a contact in a call from start to end, active once the invitee joins', () => {
    const ctx = { me: alice, openContactId: null };
    let next = applyToContacts(
      state(),
      {
        type: 'MeetingStarted',
        position: 1,
        data: {
          meetingId: 'g1',
          contactId: 'c2',
          startedBy: alice.id,
          members: [alice.id, bob.id],
          invitees: [bob.id],
          startedAt: '2024-05-01T10:00:00Z',
          ringUntil: '2024-05-01T10:01:00Z',
          at: '2024-05-01T10:00:00Z',
        },
      },
      ctx,
    );
    next = applyToContacts(
      next,
      {
        type: 'ParticipantJoined',
        position: 2,
        data: {
          meetingId: 'g1',
          contactId: 'c2',
          userId: alice.id,
          peerId: 'p1',
          joinedAt: '2024-05-01T10:00:01Z',
          at: '2024-05-01T10:00:01Z',
        },
      },
      ctx,
    );
    expect(next.contacts.find((c) => c.id === 'c2')?.activeMeeting).toMatchObject({ id: 'g1', state: 'ringing' });
    next = applyToContacts(
      next,
      {
        type: 'ParticipantJoined',
        position: 3,
        data: {
          meetingId: 'g1',
          contactId: 'c2',
          userId: bob.id,
          peerId: 'p2',
          joinedAt: '2024-05-01T10:00:02Z',
          at: '2024-05-01T10:00:02Z',
        },
      },
      ctx,
    );
    expect(next.contacts.find((c) => c.id === 'c2')?.activeMeeting).toMatchObject({ state: 'active' });
    next = applyToContacts(
      next,
      {
        type: 'MeetingEnded',
        position: 4,
        data: {
          meetingId: 'g1',
          contactId: 'c2',
          reason: 'ended',
          endedBy: alice.id,
          endedAt: '2024-05-01T10:05:00Z',
          at: '2024-05-01T10:05:00Z',
        },
      },
      ctx,
    );
    expect(next.contacts.find((c) => c.id === 'c2')?.activeMeeting).toBeNull();
  });

  it('takes presence from live changes over the loaded snapshot', () => {
    const loaded = state([contact({ peerOnline: true })]);
    expect(isOnline(loaded, loaded.contacts[0])).toBe(true);
    expect(isOnline(setPresence(loaded, bob.id, false), loaded.contacts[0])).toBe(false);
  });
});

describe('conversation state', () => {
  const loaded = withLatestPage(emptyConversation('c1'), [message('m3', bob.id), message('m4', alice.id)], true);

  it('prepends older pages without duplicates', () => {
    const next = withOlderPage(loaded, [message('m1', bob.id), message('m2', bob.id), message('m3', bob.id)], false);
    expect(next.messages.map((m) => m.id)).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(next.hasOlder).toBe(false);
  });

  it('appends a sent message once, however often it is seen', () => {
    let next = applyToConversation(loaded, messageSent(1, 'm5', bob.id));
    next = applyToConversation(next, messageSent(1, 'm5', bob.id));
    next = withMessage(next, message('m5', bob.id, 'text of m5'));
    expect(next.messages.map((m) => m.id)).toEqual(['m3', 'm4', 'm5']);
  });

  it('keeps the server’s order when our own confirmed send overtakes an earlier message', () => {
    let next = withMessage(loaded, message('m6', alice.id, 'mine', '2024-05-01T10:00:02.000Z'));
    next = applyToConversation(next, messageSent(9, 'm5', bob.id, '2024-05-01T10:00:01.000Z'));
    expect(next.messages.map((m) => m.id)).toEqual(['m3', 'm4', 'm5', 'm6']);
  });

  it('applies edits and keeps deleted messages as tombstones', () => {
    let next = applyToConversation(loaded, {
      type: 'MessageEdited',
      position: 1,
      data: { contactId: 'c1', messageId: 'm3', editorId: alice.id, text: 'fixed', editedAt: '2024-05-01T11:00:00Z' },
    });
    next = applyToConversation(next, {
      type: 'MessageDeleted',
      position: 2,
      data: { contactId: 'c1', messageId: 'm4', deletedBy: alice.id, deletedAt: '2024-05-01T11:00:00Z' },
    });
    expect(next.messages).toEqual([
      expect.objectContaining({ id: 'm3', text: 'fixed', editedAt: '2024-05-01T11:00:00Z' }),
      expect.objectContaining({ id: 'm4', text: '', deleted: true }),
    ]);
  });

  it('starts over when a re-synced newest page does not reach back to what was loaded', () => {
    const next = withLatestPage(loaded, [message('m90', bob.id), message('m91', bob.id)], true);
    expect(next.messages.map((m) => m.id)).toEqual(['m90', 'm91']);
    expect(next.hasOlder).toBe(true);
  });

  it('shows outbox entries after the confirmed messages until the server has them', () => {
    const outbox: OutboxEntry[] = [
      { id: 'm4', contactId: 'c1', senderId: alice.id, text: 'm4', createdAt: '2024-05-01T10:00:00Z', status: 'pending', attempts: 1 },
      { id: 'm5', contactId: 'c1', senderId: alice.id, text: 'new', createdAt: '2024-05-01T10:01:00Z', status: 'pending', attempts: 0 },
      {
        id: 'x1',
        contactId: 'c9',
        senderId: alice.id,
        text: 'elsewhere',
        createdAt: '2024-05-01T10:01:00Z',
        status: 'failed',
        attempts: 1,
      },
    ];
    expect(shownMessages(loaded, outbox).map((m) => [m.id, m.status])).toEqual([
      ['m3', 'sent'],
      ['m4', 'sent'],
      ['m5', 'pending'],
    ]);
  });

  it('puts "Seen" on the newest own message at or before what the peer read', () => {
    const messages = [message('m1', alice.id), message('m2', bob.id), message('m3', alice.id), message('m4', alice.id)];
    expect(seenMessageId(messages, alice.id, 'm3')).toBe('m3');
    expect(seenMessageId(messages, alice.id, 'm2')).toBe('m1');
    expect(seenMessageId(messages, alice.id, null)).toBeNull();
  });
});

describe('meetings state', () => {
  const started = applyToMeetings(emptyMeetings, {
    type: 'MeetingStarted',
    position: 1,
    data: {
      meetingId: 'g1',
      contactId: 'c1',
      startedBy: bob.id,
      members: [alice.id, bob.id],
      invitees: [alice.id],
      startedAt: '2024-05-01T10:00:00Z',
      ringUntil: '2024-05-01T10:01:00Z',
      at: '2024-05-01T10:00:00Z',
    },
  });

  it('rings the invitee, not the caller, until they join, decline, or it ends', () => {
    expect(ringingFor(started, alice.id)?.id).toBe('g1');
    expect(ringingFor(started, bob.id)).toBeNull();
    const joined = applyToMeetings(started, {
      type: 'ParticipantJoined',
      position: 2,
      data: {
        meetingId: 'g1',
        contactId: 'c1',
        userId: alice.id,
        peerId: 'p2',
        joinedAt: '2024-05-01T10:00:00Z',
        at: '2024-05-01T10:00:00Z',
      },
    });
    expect(ringingFor(joined, alice.id)).toBeNull();
    expect(ringingFor(markDeclined(started, 'g1'), alice.id)).toBeNull();
    const ended = applyToMeetings(started, {
      type: 'MeetingEnded',
      position: 3,
      data: {
        meetingId: 'g1',
        contactId: 'c1',
        reason: 'missed',
        endedBy: null,
        endedAt: '2024-05-01T10:00:00Z',
        at: '2024-05-01T10:00:00Z',
      },
    });
    expect(ended.meetings).toEqual({});
  });

  it('keeps ringing the other members of a group call until its deadline, once someone answered', () => {
    const carol = { id: 'u-carol', username: 'carol', displayName: 'Carol' };
    const groupCall = applyToMeetings(emptyMeetings, {
      type: 'MeetingStarted',
      position: 1,
      data: {
        meetingId: 'g2',
        contactId: 'group-1',
        startedBy: bob.id,
        members: [alice.id, bob.id, carol.id],
        invitees: [alice.id, carol.id],
        startedAt: '2024-05-01T10:00:00Z',
        ringUntil: '2024-05-01T10:01:00Z',
        at: '2024-05-01T10:00:00Z',
      },
    });
    const answered = applyToMeetings(groupCall, {
      type: 'ParticipantJoined',
      position: 2,
      data: {
        meetingId: 'g2',
        contactId: 'group-1',
        userId: carol.id,
        peerId: 'p3',
        joinedAt: '2024-05-01T10:00:05Z',
        at: '2024-05-01T10:00:05Z',
      },
    });
    expect(answered.meetings.g2.state).toBe('active');
    expect(ringingFor(answered, alice.id, null, new Date('2024-05-01T10:00:30Z'))?.id).toBe('g2');
    expect(ringingFor(answered, carol.id, null, new Date('2024-05-01T10:00:30Z'))).toBeNull();
    expect(ringingFor(answered, alice.id, null, new Date('2024-05-01T10:01:00Z'))).toBeNull();
    const carolLeft = applyToMeetings(answered, {
      type: 'ParticipantLeft',
      position: 3,
      data: {
        meetingId: 'g2',
        contactId: 'group-1',
        userId: carol.id,
        peerId: 'p3',
        reason: 'left',
        leftAt: '2024-05-01T10:00:20Z',
        at: '2024-05-01T10:00:20Z',
      },
    });
    expect(ringingFor(carolLeft, carol.id, null, new Date('2024-05-01T10:00:30Z'))).toBeNull();
    expect(nextRingDeadline(answered, new Date('2024-05-01T10:00:30Z'))).toBe(Date.parse('2024-05-01T10:01:00Z'));
    expect(nextRingDeadline(answered, new Date('2024-05-01T10:01:00Z'))).toBeNull();
  });

  it('tracks participants by peer id', () => {
    let next = applyToMeetings(started, {
      type: 'ParticipantJoined',
      position: 2,
      data: {
        meetingId: 'g1',
        contactId: 'c1',
        userId: bob.id,
        peerId: 'p1',
        joinedAt: '2024-05-01T10:00:00Z',
        at: '2024-05-01T10:00:00Z',
      },
    });
    next = applyToMeetings(next, {
      type: 'ParticipantJoined',
      position: 3,
      data: {
        meetingId: 'g1',
        contactId: 'c1',
        userId: alice.id,
        peerId: 'p2',
        joinedAt: '2024-05-01T10:00:00Z',
        at: '2024-05-01T10:00:00Z',
      },
    });
    next = applyToMeetings(next, {
      type: 'ParticipantLeft',
      position: 4,
      data: {
        meetingId: 'g1',
        contactId: 'c1',
        userId: bob.id,
        peerId: 'p1',
        reason: 'left',
        leftAt: '2024-05-01T10:00:00Z',
        at: '2024-05-01T10:00:00Z',
      },
    });
    expect(next.meetings.g1).toMatchObject({ state: 'active', participants: [{ userId: alice.id, peerId: 'p2' }] });
  });

  it('stops ringing a member whom the server took out of the call: the ring declined for them, or the group left', () => {
    const groupCall = applyToMeetings(emptyMeetings, {
      type: 'MeetingStarted',
      position: 1,
      data: {
        meetingId: 'gc',
        contactId: 'grp',
        startedBy: bob.id,
        members: [alice.id, bob.id, 'carl'],
        invitees: [alice.id, 'carl'],
        startedAt: '2024-05-01T10:00:00Z',
        ringUntil: '2024-05-01T10:01:00Z',
        at: '2024-05-01T10:00:00Z',
      },
    });
    const now = new Date('2024-05-01T10:00:10Z');
    expect(ringingFor(groupCall, alice.id, null, now)?.id).toBe('gc');
    const dismissed = applyToMeetings(
      groupCall,
      {
        type: 'InvitationDeclined',
        position: 2,
        data: { meetingId: 'gc', contactId: 'grp', userId: alice.id, declinedAt: '2024-05-01T10:00:05Z', at: '2024-05-01T10:00:05Z' },
      },
      alice.id,
    );
    expect(ringingFor(dismissed, alice.id, null, now)).toBeNull();
    const othersDecline = applyToMeetings(
      groupCall,
      {
        type: 'InvitationDeclined',
        position: 2,
        data: { meetingId: 'gc', contactId: 'grp', userId: 'carl', declinedAt: '2024-05-01T10:00:05Z', at: '2024-05-01T10:00:05Z' },
      },
      alice.id,
    );
    expect(ringingFor(othersDecline, alice.id, null, now)?.id).toBe('gc');
    for (const out of [
      {
        type: 'GroupMemberRemoved' as const,
        position: 3,
        data: { contactId: 'grp', userId: alice.id, removedBy: bob.id, removedAt: '2024-05-01T10:00:06Z' },
      },
      { type: 'GroupMemberLeft' as const, position: 3, data: { contactId: 'grp', userId: alice.id, leftAt: '2024-05-01T10:00:06Z' } },
    ]) {
      const gone = applyToMeetings(groupCall, out, alice.id);
      expect(gone.meetings, out.type).toEqual({});
      expect(
        applyToMeetings(groupCall, { ...out, data: { ...out.data, userId: 'carl' } } as FeedEvent, alice.id).meetings.gc,
        out.type,
      ).toBeDefined();
    }
  });
});
