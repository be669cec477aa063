import { describe, expect, it } from 'vitest';
import { DERBEL_EVENT_TYPES, type DerbelEvent } from '../../domain/events.js';
import { withCanonicalIds } from './canonical-event-ids.js';

const [ana, ben, contact, message, meeting] = ['a', 'b', 'c', 'd', 'e'].map((c) => `${c}0000000-0000-4000-8000-00000000000${c}`);
const when = '2026-01-01T10:00:00.000Z';

/** One event of every type, ids canonical; `peerId` looks like a uuid on purpose: it is not ours to change. */
const samples: DerbelEvent[] = [
  { type: 'UsernameClaimed', data: { username: 'ana', userId: ana } },
  { type: 'UsernameReleased', data: { username: 'ana', userId: ana } },
  { type: 'AccountRegistered', data: { userId: ana, username: 'ana', displayName: 'Ana' } },
  {
    type: 'ContactRequested',
    data: { contactId: contact, kind: 'direct', members: [ana, ben], requestedBy: ana, recipientId: ben, message: 'hi', silenced: false },
  },
  { type: 'ContactRequestDeclined', data: { contactId: contact, declinedBy: ben, declinedAt: when } },
  { type: 'ContactRequestCancelled', data: { contactId: contact, cancelledBy: ana, seenByRecipient: true } },
  { type: 'ContactAdded', data: { contactId: contact, kind: 'direct', members: [ana, ben], addedBy: ana } },
  { type: 'ContactRemoved', data: { contactId: contact, removedBy: ben, reason: 'blocked' } },
  { type: 'UserBlocked', data: { blockerId: ben, blockedId: ana, blockedAt: when } },
  { type: 'UserUnblocked', data: { blockerId: ben, blockedId: ana } },
  { type: 'MessageSent', data: { contactId: contact, messageId: message, senderId: ana, text: 'hi' } },
  { type: 'MessageEdited', data: { contactId: contact, messageId: message, editorId: ana, text: 'hey' } },
  { type: 'MessageDeleted', data: { contactId: contact, messageId: message, deletedBy: ana } },
  { type: 'ReactionAdded', data: { contactId: contact, messageId: message, userId: ana, emoji: '👍' } },
  { type: 'ReactionRemoved', data: { contactId: contact, messageId: message, userId: ana, emoji: '👍' } },
  { type: 'ConversationRead', data: { contactId: contact, userId: ben, messageId: message } },
  {
    type: 'GroupCreated',
    data: { contactId: contact, kind: 'group', title: 'Climbing', members: [ana, ben], admins: [ana], createdBy: ana, membersMayAdd: true },
  },
  { type: 'GroupRenamed', data: { contactId: contact, title: 'Bouldering', renamedBy: ben } },
  { type: 'GroupMembersAdded', data: { contactId: contact, userIds: [ben], addedBy: ana } },
  { type: 'GroupMemberRemoved', data: { contactId: contact, userId: ben, removedBy: ana } },
  { type: 'GroupMemberLeft', data: { contactId: contact, userId: ana } },
  { type: 'GroupAdminAppointed', data: { contactId: contact, userId: ben, appointedBy: null } },
  { type: 'GroupSettingsChanged', data: { contactId: contact, membersMayAdd: false, changedBy: ana } },
  {
    type: 'MeetingStarted',
    data: {
      meetingId: meeting,
      contactId: contact,
      startedBy: ana,
      members: [ana, ben],
      invitees: [ben],
      startedAt: when,
      ringUntil: when,
    },
  },
  {
    type: 'ParticipantJoined',
    data: { meetingId: meeting, contactId: contact, userId: ana, peerId: 'F0000000-0000-4000-8000-00000000000F', joinedAt: when },
  },
  {
    type: 'ParticipantLeft',
    data: {
      meetingId: meeting,
      contactId: contact,
      userId: ana,
      peerId: 'F0000000-0000-4000-8000-00000000000F',
      reason: 'left',
      leftAt: when,
    },
  },
  { type: 'InvitationDeclined', data: { meetingId: meeting, contactId: contact, userId: ben, declinedAt: when } },
  { type: 'MeetingEnded', data: { meetingId: meeting, contactId: contact, reason: 'ended', endedBy: ana, endedAt: when } },
  { type: 'MeetingSlotClaimed', data: { meetingId: meeting, claimedAt: when } },
  { type: 'MeetingSlotReleased', data: { meetingId: meeting } },
];

const ours = new Set([ana, ben, contact, message, meeting]);
/** The sample with each of our ids spelled by `spell`, everything else as it is. */
const respelled = (event: DerbelEvent, spell: (id: string) => string) =>
  JSON.parse(JSON.stringify(event), (_key, value) => (typeof value === 'string' && ours.has(value) ? spell(value) : value));

const recorded = <E extends { type: string; data: unknown }>(event: E) => ({
  ...event,
  id: 'x',
  streamId: 's',
  revision: 0,
  position: 1,
  metadata: { userId: null, correlationId: 'c', causationId: 'c', timestamp: when },
});

describe('withCanonicalIds', () => {
  it('has a sample of every event type', () => {
    expect(samples.map((e) => e.type).sort()).toEqual([...DERBEL_EVENT_TYPES].sort());
  });

  it.each(samples.map((e) => [e.type, e] as const))('hands back a %s whose ids are canonical as the same object', (_type, sample) => {
    const event = recorded(sample);
    expect(withCanonicalIds(event)).toBe(event);
  });

  it.each([
    ['upper case', (id: string) => id.toUpperCase()],
    ['urn:uuid:', (id: string) => `urn:uuid:${id}`],
    ['braces', (id: string) => `{${id}}`],
    ['no hyphens', (id: string) => id.replaceAll('-', '')],
  ])('canonicalises every id of every event type spelled with %s, and nothing else', (_case, spell) => {
    for (const sample of samples) {
      const stored = recorded(respelled(sample, spell));
      const frozen = structuredClone(stored);
      const read = withCanonicalIds(stored);
      expect(read, sample.type).toEqual(recorded(sample));
      expect(stored, 'the stored event is left as it was').toEqual(frozen);
      expect(read.metadata).toBe(stored.metadata);
    }
  });

  it('fixes the one id that needs it and copies only that event', () => {
    const stored = recorded({
      type: 'MessageEdited',
      data: { contactId: contact, messageId: message.toUpperCase(), editorId: ben, text: 'I will pay you 10000 EUR' },
    });
    expect(withCanonicalIds(stored).data).toEqual({
      contactId: contact,
      messageId: message,
      editorId: ben,
      text: 'I will pay you 10000 EUR',
    });
  });

  it('canonicalises one member of a list and keeps its order', () => {
    const stored = recorded({
      type: 'ContactAdded',
      data: { contactId: contact, kind: 'direct', members: [ana, `{${ben.toUpperCase()}}`], addedBy: ana },
    });
    expect(withCanonicalIds(stored).data).toEqual({ contactId: contact, kind: 'direct', members: [ana, ben], addedBy: ana });
  });

  it('leaves values that are no uuid at all as written (the read side parks them), without copying', () => {
    const stored = recorded({ type: 'MessageSent', data: { contactId: contact, messageId: 'not-a-uuid', senderId: 42, text: 'x' } });
    expect(withCanonicalIds(stored)).toBe(stored);
    const mixed = recorded({
      type: 'MessageSent',
      data: { contactId: contact, messageId: 'not-a-uuid', senderId: ana.toUpperCase(), text: 'x' },
    });
    expect(withCanonicalIds(mixed).data).toEqual({ contactId: contact, messageId: 'not-a-uuid', senderId: ana, text: 'x' });
  });

  it('leaves missing fields missing, a null endedBy null, and a members field that is no list alone', () => {
    const ended = recorded({
      type: 'MeetingEnded',
      data: { meetingId: meeting.toUpperCase(), contactId: contact, reason: 'missed', endedBy: null, endedAt: when },
    });
    expect(withCanonicalIds(ended).data).toEqual({
      meetingId: meeting,
      contactId: contact,
      reason: 'missed',
      endedBy: null,
      endedAt: when,
    });
    const partial = recorded({ type: 'MessageDeleted', data: { messageId: message.toUpperCase() } });
    expect(withCanonicalIds(partial).data).toEqual({ messageId: message });
    const odd = recorded({ type: 'ContactAdded', data: { contactId: contact, members: ana.toUpperCase() } });
    expect(withCanonicalIds(odd)).toBe(odd);
  });

  it('hands back events of unknown types and data that is no object untouched', () => {
    for (const event of [
      recorded({ type: 'SomethingNew', data: { userId: ana.toUpperCase() } }),
      recorded({ type: 'toString', data: { userId: ana.toUpperCase() } }),
      recorded({ type: 'MessageSent', data: null }),
      recorded({ type: 'MessageSent', data: [message.toUpperCase()] }),
      recorded({ type: 'MessageSent', data: message.toUpperCase() }),
    ]) {
      expect(withCanonicalIds(event)).toBe(event);
    }
  });
});
