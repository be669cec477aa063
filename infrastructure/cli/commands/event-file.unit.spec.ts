import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEventFile } from './event-file.js';

/** `events import` takes ids only in canonical spelling: upper case is lower-cased, anything else refused. */
describe('reading an export: canonical ids', () => {
  let dir: string;
  let n = 0;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'derbel-event-file-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const metadata = (userId: string | null = null) => ({ userId, correlationId: 'c', causationId: 'c', timestamp: '2026-11-25T10:00:00Z' });
  const line = (streamId: string, revision: number, type: string, data: unknown, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ streamId, revision, id: randomUUID(), type, data, metadata: metadata(), ...extra });
  async function read(lines: string[]) {
    const file = path.join(dir, `export-${n++}.jsonl`);
    await writeFile(file, lines.join('\n'));
    return readEventFile(file);
  }

  const [a, b, contactId, messageId, meetingId, eventId] = Array.from({ length: 6 }, () => randomUUID());
  const up = (id: string) => id.toUpperCase();

  it('lower-cases upper-case event ids, data ids (arrays too) and metadata.userId, and keeps peerId and other fields as they are', async () => {
    const peerId = `Peer-${up(randomUUID())}`;
    const events = await read([
      JSON.stringify({
        streamId: `contact-${contactId}`,
        revision: 0,
        id: up(eventId),
        type: 'ContactAdded',
        data: { contactId: up(contactId), kind: 'direct', members: [up(a), b], addedBy: up(a) },
        metadata: metadata(up(a)),
      }),
      line(`contact-${contactId}`, 1, 'MessageSent', { contactId, messageId: up(messageId), senderId: up(b), text: 'Hi ABCDEF' }),
      line(`contact-${contactId}`, 2, 'MessageEdited', { contactId, messageId: up(messageId), editorId: up(b), text: 'X' }),
      line(`contact-${contactId}`, 3, 'MessageDeleted', { contactId, messageId: up(messageId), deletedBy: up(b) }),
      line(`contact-${contactId}`, 4, 'ConversationRead', { contactId, userId: up(a), messageId: up(messageId) }),
      line(`meeting-${meetingId}`, 0, 'MeetingStarted', {
        meetingId: up(meetingId),
        contactId: up(contactId),
        startedBy: up(a),
        members: [up(a), up(b)],
        invitees: [up(b)],
        startedAt: 'T',
        ringUntil: 'T',
      }),
      line(`meeting-${meetingId}`, 1, 'ParticipantJoined', { meetingId: up(meetingId), contactId, userId: up(b), peerId, joinedAt: 'T' }),
      line(`meeting-${meetingId}`, 2, 'ParticipantLeft', { meetingId, contactId, userId: up(b), peerId, reason: 'left', leftAt: 'T' }),
      line(`meeting-${meetingId}`, 3, 'InvitationDeclined', { meetingId, contactId, userId: up(b), declinedAt: 'T' }),
      line(`meeting-${meetingId}`, 4, 'MeetingEnded', {
        meetingId: up(meetingId),
        contactId,
        reason: 'ended',
        endedBy: null,
        endedAt: 'T',
      }),
      line(`meeting-slot-${contactId}`, 0, 'MeetingSlotClaimed', { meetingId: up(meetingId), claimedAt: 'T' }),
      line(`meeting-slot-${contactId}`, 1, 'MeetingSlotReleased', { meetingId: up(meetingId) }),
      line(`account-${a}`, 0, 'AccountRegistered', { userId: up(a), username: 'Ana', displayName: 'ANA' }),
      line('username-ana', 0, 'UsernameClaimed', { username: 'ana', userId: up(a) }),
    ]);
    expect(events[0]).toMatchObject({ id: eventId, data: { contactId, members: [a, b], addedBy: a }, metadata: { userId: a } });
    expect(events.slice(1, 5).map((e) => e.data)).toEqual([
      { contactId, messageId, senderId: b, text: 'Hi ABCDEF' },
      { contactId, messageId, editorId: b, text: 'X' },
      { contactId, messageId, deletedBy: b },
      { contactId, userId: a, messageId },
    ]);
    expect(events[5].data).toMatchObject({ meetingId, contactId, startedBy: a, members: [a, b], invitees: [b] });
    expect(events[6].data).toEqual({ meetingId, contactId, userId: b, peerId, joinedAt: 'T' });
    expect(events[7].data).toMatchObject({ userId: b, peerId });
    expect(events[8].data).toMatchObject({ userId: b });
    expect(events[9].data).toMatchObject({ meetingId, endedBy: null });
    expect(events.slice(10, 12).map((e) => e.data)).toEqual([{ meetingId, claimedAt: 'T' }, { meetingId }]);
    expect(events.slice(12).map((e) => e.data)).toEqual([
      { userId: a, username: 'Ana', displayName: 'ANA' },
      { username: 'ana', userId: a },
    ]);
  });

  it('leaves the data of event types it does not know, and id fields an event does not carry, alone', async () => {
    const events = await read([line('other-x', 0, 'SomethingElse', { contactId: 'Not-An-Id' }), line('contact-a', 0, 'MessageSent', {})]);
    expect(events.map((e) => e.data)).toEqual([{ contactId: 'Not-An-Id' }, {}]);
  });

  it.each([
    ['the event id', (l: Record<string, any>) => (l.id = `urn:uuid:${l.id}`), /line 2: id must be a uuid/],
    [
      'a data id with a urn:uuid: prefix',
      (l: Record<string, any>) => (l.data.messageId = `urn:uuid:${messageId}`),
      /line 2: data\.messageId must be a uuid.*urn:uuid:/,
    ],
    ['a data id in braces', (l: Record<string, any>) => (l.data.senderId = `{${b}}`), /line 2: data\.senderId must be a uuid/],
    [
      'a data id without hyphens',
      (l: Record<string, any>) => (l.data.contactId = contactId.replaceAll('-', '')),
      /line 2: data\.contactId must be a uuid/,
    ],
    ['a data id that is a number', (l: Record<string, any>) => (l.data.senderId = 42), /line 2: data\.senderId must be a uuid.*not 42/],
    ['metadata.userId', (l: Record<string, any>) => (l.metadata.userId = `${a}0`), /line 2: metadata\.userId must be a uuid/],
  ])('refuses %s in any other spelling, naming the line and field, and returns nothing', async (_name, spoil, message) => {
    const bad = JSON.parse(line(`contact-${contactId}`, 1, 'MessageSent', { contactId, messageId, senderId: b, text: 'x' }));
    spoil(bad);
    const lines = [
      line(`contact-${contactId}`, 0, 'ContactAdded', { contactId, kind: 'direct', members: [a, b], addedBy: a }),
      JSON.stringify(bad),
    ];
    await expect(read(lines)).rejects.toThrow(message);
    await expect(read(lines)).rejects.toThrow(/nothing was imported/);
  });

  it('refuses an array of ids with one bad element, naming its index', async () => {
    const lines = [line(`contact-${contactId}`, 0, 'ContactAdded', { contactId, kind: 'direct', members: [a, `{${b}}`], addedBy: a })];
    await expect(read(lines)).rejects.toThrow(/line 1: data\.members\[1\] must be a uuid/);
  });

  it('counts an event id spelled once in each case as the same id', async () => {
    const id = randomUUID();
    const lines = [line('s-1', 0, 'T', {}, { id }), line('s-2', 0, 'T', {}, { id: up(id) })];
    await expect(read(lines)).rejects.toThrow(`line 2: event id ${id} appears twice`);
  });
});
