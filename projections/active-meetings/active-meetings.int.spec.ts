import { randomUUID } from 'node:crypto';
import { describe, it } from 'vitest';
import type { MeetingStarted } from '../../domain/meetings/events.js';
import { expectParked, expectRows, projectionSpec, useProjectionDatabase } from '../../test/support/projection-specification.js';
import { meetingStream, TestLog } from '../../test/support/recorded-events.js';
import type { RecordedDerbelEvent } from '../recorded-event.js';
import { activeMeetingsProjection } from './active-meetings.projection.js';

/**
 * Meetings that ring or go on (SQL per event), on real PostgreSQL. Each `when` runs as one batch and as
 * batches of one (projection-specification.ts).
 */
describe('active meetings read model', () => {
  const db = useProjectionDatabase();
  const spec = () => projectionSpec(activeMeetingsProjection, db);
  const [ana, ben, eve] = [randomUUID(), randomUUID(), randomUUID()];
  const contactId = randomUUID();

  /** The row a `MeetingStarted` creates, with `changes` on top. */
  const row = (started: RecordedDerbelEvent, changes: Record<string, unknown> = {}) => {
    const d = started.data as MeetingStarted['data'];
    return {
      meeting_id: d.meetingId,
      contact_id: d.contactId,
      state: 'ringing',
      started_by: d.startedBy,
      members: d.members,
      invitees: d.invitees,
      participants: [],
      ring_until: d.ringUntil,
      started_at: d.startedAt,
      ...changes,
    };
  };

  it('a meeting started rings: members, invitees, nobody seated yet, until its ring ends', async () => {
    const log = new TestLog();
    const m = meetingStream(log, contactId);
    const started = m.started(ana, ben);
    await spec()
      .given()
      .when(started)
      .then(expectRows('active_meetings', [row(started)]));
  });

  it('the caller joining takes a seat and it still rings; the callee joining answers it', async () => {
    const log = new TestLog();
    const m = meetingStream(log, contactId);
    const started = m.started(ana, ben);
    const anaJoins = m.joined(ana, 'peer-ana');
    await spec()
      .given(started)
      .when(anaJoins)
      .then(expectRows('active_meetings', [row(started, { participants: [{ userId: ana, peerId: 'peer-ana' }] })]));
    await spec()
      .given(started)
      .when(anaJoins, m.joined(ben, 'peer-ben'))
      .then(
        expectRows('active_meetings', [
          row(started, {
            state: 'active',
            participants: [
              { userId: ana, peerId: 'peer-ana' },
              { userId: ben, peerId: 'peer-ben' },
            ],
          }),
        ]),
      );
  });

  it('a rejoin under a new peer id replaces the seat and goes last; leaving frees the seat it names', async () => {
    const log = new TestLog();
    const m = meetingStream(log, contactId);
    const started = m.started(ana, ben);
    const joins = [m.joined(ana, 'peer-ana'), m.joined(ben, 'peer-ben')];
    const anaRejoins = m.joined(ana, 'peer-ana-2');
    const staleLeave = m.left(ana, 'peer-ana', 'disconnected');
    const benLeaves = m.left(ben, 'peer-ben');
    await spec()
      .given(started, ...joins)
      .when(anaRejoins, staleLeave)
      .then(
        expectRows('active_meetings', [
          row(started, {
            state: 'active',
            participants: [
              { userId: ben, peerId: 'peer-ben' },
              { userId: ana, peerId: 'peer-ana-2' },
            ],
          }),
        ]),
      );
    await spec()
      .given(started, ...joins)
      .when(anaRejoins, staleLeave, benLeaves)
      .then(expectRows('active_meetings', [row(started, { state: 'active', participants: [{ userId: ana, peerId: 'peer-ana-2' }] })]));
  });

  it('a declined invitation changes nothing until the meeting ends', async () => {
    const log = new TestLog();
    const m = meetingStream(log, contactId);
    const started = m.started(ana, ben);
    const declined = m.declined(ben);
    await spec()
      .given(started)
      .when(declined)
      .then(expectRows('active_meetings', [row(started)]));
    await spec().given(started).when(declined, m.ended('declined', ben)).then(expectRows('active_meetings', []));
  });

  it('an ended meeting is gone, whatever the reason; other meetings stay', async () => {
    const log = new TestLog();
    const missed = meetingStream(log, contactId);
    const finished = meetingStream(log, contactId);
    const other = meetingStream(log, randomUUID());
    const missedStarted = missed.started(ana, ben);
    const finishedStarted = finished.started(ben, ana);
    const otherStarted = other.started(eve, ana);
    await spec()
      .given(missedStarted, finishedStarted, otherStarted)
      .when(
        missed.ended('missed', null),
        finished.joined(ana, 'peer-ana'),
        finished.joined(ben, 'peer-ben'),
        finished.left(ana, 'peer-ana'),
        finished.left(ben, 'peer-ben'),
        finished.ended('empty', ben),
      )
      .then(expectRows('active_meetings', [row(otherStarted)]));
  });

  it('a second MeetingStarted of the same meeting keeps the first; events of unknown meetings create nothing', async () => {
    const log = new TestLog();
    const m = meetingStream(log, contactId);
    const started = m.started(ana, ben);
    const again = m.started(ben, ana);
    const ghost = meetingStream(log, contactId);
    await spec()
      .given(started)
      .when(again, ghost.joined(ana, 'peer-ana'), ghost.left(ana, 'peer-ana'), ghost.ended('ended', ana))
      .then(expectRows('active_meetings', [row(started)]));
  });

  it('events it cannot apply are parked, the rest of the batch lands', async () => {
    const log = new TestLog();
    const m = meetingStream(log, contactId);
    const bad = meetingStream(log, contactId);
    const started = m.started(ana, ben);
    const badRing = bad.raw('MeetingStarted', {
      meetingId: bad.meetingId,
      contactId,
      startedBy: ana,
      members: [ana, ben],
      invitees: [ben],
      startedAt: log.nextAt(),
      ringUntil: 'in 45 s',
    });
    const badMembers = bad.raw('MeetingStarted', {
      meetingId: bad.meetingId,
      contactId,
      startedBy: ana,
      members: [ana, ben.toUpperCase()],
      invitees: [ben],
      startedAt: log.nextAt(),
      ringUntil: log.nextAt(),
    });
    const badPeer = m.raw('ParticipantJoined', { meetingId: m.meetingId, contactId, userId: ben, peerId: null, joinedAt: log.nextAt() });
    const badEnd = m.raw('MeetingEnded', {
      meetingId: `{${m.meetingId}}`,
      contactId,
      reason: 'ended',
      endedBy: ana,
      endedAt: log.nextAt(),
    });
    const joined = m.joined(ben, 'peer-ben');
    await spec()
      .given()
      .when(started, badRing, badMembers, badPeer, badEnd, joined)
      .then(
        expectRows('active_meetings', [row(started, { state: 'active', participants: [{ userId: ben, peerId: 'peer-ben' }] })]),
        expectParked(
          { event: badRing, error: /ringUntil is not an ISO timestamp/ },
          { event: badMembers, error: /members\[1\] is not a canonical uuid/ },
          { event: badPeer, error: /peerId is not text/ },
          { event: badEnd, error: /meetingId is not a canonical uuid/ },
        ),
      );
  });
});
