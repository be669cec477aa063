import { randomUUID } from 'node:crypto';
import { describe, it } from 'vitest';
import type { MeetingEnded, MeetingStarted } from '../../domain/meetings/events.js';
import { expectParked, expectRows, projectionSpec, useProjectionDatabase } from '../../test/support/projection-specification.js';
import { meetingStream, TestLog } from '../../test/support/recorded-events.js';
import type { RecordedDerbelEvent } from '../recorded-event.js';
import { callLogProjection } from './call-log.projection.js';

/**
 * The call log (SQL per event) on real PostgreSQL: one row per member of each ended meeting, with its
 * direction and outcome. Each `when` runs as one batch and as batches of one (projection-specification.ts).
 */
describe('call log read model', () => {
  const db = useProjectionDatabase();
  const spec = () => projectionSpec(callLogProjection, db);
  const [ana, ben] = [randomUUID(), randomUUID()];
  const contactId = randomUUID();

  /** The caller's and the callee's rows of a meeting `started` and `ended`. */
  const calls = (
    started: RecordedDerbelEvent,
    ended: RecordedDerbelEvent,
    outcome: 'missed' | 'declined' | 'finished',
    durationSeconds = 0,
  ) => {
    const s = started.data as MeetingStarted['data'];
    const e = ended.data as MeetingEnded['data'];
    const [caller, callee] = [s.startedBy, s.invitees[0]];
    const call = {
      meeting_id: s.meetingId,
      contact_id: s.contactId,
      outcome,
      started_at: s.startedAt,
      ended_at: e.endedAt,
      duration_seconds: durationSeconds,
    };
    return [
      { user_id: caller, peer_id: callee, direction: 'outgoing', ...call },
      { user_id: callee, peer_id: caller, direction: 'incoming', ...call },
    ];
  };
  const running = (started: RecordedDerbelEvent, answeredAt: string | null = null, joined: string[] = [], declined: string[] = []) => {
    const s = started.data as MeetingStarted['data'];
    return {
      meeting_id: s.meetingId,
      started_by: s.startedBy,
      members: s.members,
      started_at: s.startedAt,
      answered_at: answeredAt,
      joined,
      declined,
    };
  };

  it('a meeting that goes on is remembered, not logged; the first answer is when the callee joined', async () => {
    const log = new TestLog();
    const m = meetingStream(log, contactId);
    const started = m.started(ana, ben);
    const ringing = m.joined(ana, 'peer-ana');
    const answered = m.joined(ben, 'peer-ben');
    await spec()
      .given()
      .when(started, ringing, answered, m.left(ben, 'peer-ben', 'disconnected'), m.joined(ben, 'peer-ben-2'))
      .then(expectRows('call_log', []), expectRows('call_log_meetings', [running(started, answered.metadata.timestamp, [ana, ben])]));
  });

  it('missed: nobody answered before the ring ended (the caller joining is no answer)', async () => {
    const log = new TestLog();
    const m = meetingStream(log, contactId);
    const started = m.started(ana, ben);
    const ringing = m.joined(ana, 'peer-ana');
    const ended = m.ended('missed', null, { at: '2025-03-03T09:00:47.000Z' });
    await spec()
      .given(started)
      .when(ringing, ended)
      .then(expectRows('call_log', calls(started, ended, 'missed')), expectRows('call_log_meetings', []));
  });

  it('missed too when the caller gives up before an answer', async () => {
    const log = new TestLog();
    const m = meetingStream(log, contactId);
    const started = m.started(ben, ana);
    const ended = m.ended('ended', ben);
    await spec()
      .given(started)
      .when(ended)
      .then(expectRows('call_log', calls(started, ended, 'missed')));
  });

  it('declined: the callee declined', async () => {
    const log = new TestLog();
    const m = meetingStream(log, contactId);
    const started = m.started(ana, ben);
    const ringing = m.joined(ana, 'peer-ana');
    const declined = m.declined(ben);
    const ended = m.ended('declined', ben);
    await spec()
      .given(started)
      .when(ringing, declined, ended)
      .then(expectRows('call_log', calls(started, ended, 'declined')), expectRows('call_log_meetings', []));
  });

  it('finished: answered, then ended; the duration runs from the first answer to the end, in whole seconds', async () => {
    const log = new TestLog();
    const m = meetingStream(log, contactId);
    const started = m.started(ana, ben, { at: '2025-03-03T09:00:00.000Z' });
    const ringing = m.joined(ana, 'peer-ana', { at: '2025-03-03T09:00:01.000Z' });
    const answered = m.joined(ben, 'peer-ben', { at: '2025-03-03T09:00:05.400Z' });
    const rejoined = m.joined(ben, 'peer-ben-2', { at: '2025-03-03T09:00:30.000Z' });
    const ended = m.ended('ended', ana, { at: '2025-03-03T09:02:05.900Z' });
    await spec()
      .given(started, ringing)
      .when(answered, rejoined, ended)
      // 120.5 s, rounded
      .then(expectRows('call_log', calls(started, ended, 'finished', 121)), expectRows('call_log_meetings', []));
  });

  it('finished when the last one out leaves an answered call empty', async () => {
    const log = new TestLog();
    const m = meetingStream(log, contactId);
    const started = m.started(ben, ana, { at: '2025-03-03T09:00:01.000Z' });
    const call = [
      m.joined(ben, 'peer-ben', { at: '2025-03-03T09:00:02.000Z' }),
      m.joined(ana, 'peer-ana', { at: '2025-03-03T09:00:03.000Z' }),
      m.left(ben, 'peer-ben', 'left', { at: '2025-03-03T09:01:00.000Z' }),
    ];
    const lastOut = m.left(ana, 'peer-ana', 'left', { at: '2025-03-03T09:01:03.000Z' });
    const ended = m.ended('empty', ana, { at: '2025-03-03T09:01:03.000Z' });
    await spec()
      .given(started)
      .when(...call, lastOut, ended)
      .then(expectRows('call_log', calls(started, ended, 'finished', 60)));
  });

  it('a group call answered by some: finished for who joined, declined for who declined, missed for the rest', async () => {
    const log = new TestLog();
    const m = meetingStream(log, contactId);
    const [cat, dan] = [randomUUID(), randomUUID()];
    const members = [ana, ben, cat, dan];
    const started = m.raw('MeetingStarted', {
      meetingId: m.meetingId,
      contactId,
      startedBy: ana,
      members,
      invitees: [ben, cat, dan],
      startedAt: '2025-03-03T09:00:00.000Z',
      ringUntil: '2025-03-03T09:00:45.000Z',
    });
    const call = [
      m.joined(ana, 'peer-ana', { at: '2025-03-03T09:00:01.000Z' }),
      m.joined(ben, 'peer-ben', { at: '2025-03-03T09:00:05.000Z' }),
      m.declined(cat),
      m.left(ana, 'peer-ana'),
      m.left(ben, 'peer-ben'),
    ];
    const ended = m.ended('empty', ben, { at: '2025-03-03T09:01:05.000Z' });
    await spec()
      .given(started)
      .when(...call, ended)
      .then(
        expectRows(
          'call_log',
          members.map((userId) => ({
            user_id: userId,
            meeting_id: m.meetingId,
            contact_id: contactId,
            peer_id: userId === ana ? ben : ana,
            direction: userId === ana ? 'outgoing' : 'incoming',
            outcome: { [ana]: 'finished', [ben]: 'finished', [cat]: 'declined', [dan]: 'missed' }[userId],
            started_at: '2025-03-03T09:00:00.000Z',
            ended_at: '2025-03-03T09:01:05.000Z',
            duration_seconds: userId === ana || userId === ben ? 60 : 0,
          })),
        ),
        expectRows('call_log_meetings', []),
      );
  });

  it('an end of a meeting it never saw start, or a second end, logs nothing more', async () => {
    const log = new TestLog();
    const m = meetingStream(log, contactId);
    const ghost = meetingStream(log, contactId);
    const started = m.started(ana, ben);
    const ended = m.ended('missed', null);
    await spec()
      .given(started, ended)
      .when(m.ended('ended', ana), ghost.ended('ended', ana))
      .then(expectRows('call_log', calls(started, ended, 'missed')), expectRows('call_log_meetings', []));
  });

  it('events it cannot apply are parked and change nothing; the rest of the batch lands', async () => {
    const log = new TestLog();
    const m = meetingStream(log, contactId);
    const other = meetingStream(log, contactId);
    const started = m.started(ana, ben);
    const oneMember = other.raw('MeetingStarted', {
      meetingId: other.meetingId,
      contactId,
      startedBy: ana,
      members: [ana],
      invitees: [],
      startedAt: log.nextAt(),
      ringUntil: log.nextAt(),
    });
    const badJoin = m.raw('ParticipantJoined', { meetingId: m.meetingId, contactId, userId: ben, peerId: 'peer-ben', joinedAt: 'now' });
    const badEnd = m.raw('MeetingEnded', { meetingId: m.meetingId, contactId: 'c', reason: 'ended', endedBy: ana, endedAt: log.nextAt() });
    const ended = m.ended('missed', null);
    await spec()
      .given(started)
      .when(oneMember, badJoin, badEnd, ended)
      .then(
        expectRows('call_log', calls(started, ended, 'missed')),
        expectRows('call_log_meetings', []),
        expectParked(
          { event: oneMember, error: /members is not a list of at least 2 ids/ },
          { event: badJoin, error: /joinedAt is not an ISO timestamp/ },
          { event: badEnd, error: /contactId is not a canonical uuid/ },
        ),
      );
  });
});
