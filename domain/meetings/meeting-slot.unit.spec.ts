import { describe, expect, it } from 'vitest';
import { DeciderSpecification } from '../../test/support/decider-specification.js';
import type { MeetingSlotEvent } from './events.js';
import { ABANDONED_CLAIM_MS, MeetingInProgressError, meetingSlotDecider, type MeetingSlotCommand } from './meeting-slot.js';

const spec = DeciderSpecification.for(meetingSlotDecider);
const T0 = '2030-01-01T10:00:00.000Z';
const later = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();

const claim = (
  meetingId: string,
  at = T0,
  holder?: { meetingId: string; status: 'ended' | 'never-started' | 'live' },
): MeetingSlotCommand => ({
  type: 'ClaimMeetingSlot',
  data: { meetingId, at, holder },
});
const release = (meetingId: string): MeetingSlotCommand => ({ type: 'ReleaseMeetingSlot', data: { meetingId } });
const claimed = (meetingId: string, claimedAt = T0): MeetingSlotEvent => ({ type: 'MeetingSlotClaimed', data: { meetingId, claimedAt } });
const released = (meetingId: string): MeetingSlotEvent => ({ type: 'MeetingSlotReleased', data: { meetingId } });

describe('the meeting slot of a contact', () => {
  it('is claimed by the first meeting', () => {
    spec
      .given([])
      .when(claim('m1'))
      .then([claimed('m1')]);
  });

  it('refuses a second meeting while the first holds it, naming the first', () => {
    spec
      .given([claimed('m1')])
      .when(claim('m2', later(1_000)))
      .thenThrows('MEETING_IN_PROGRESS');
    try {
      meetingSlotDecider.decide(claim('m2'), { holder: { meetingId: 'm1', claimedAt: T0 } });
      expect.fail('expected MEETING_IN_PROGRESS');
    } catch (error) {
      expect(error).toBeInstanceOf(MeetingInProgressError);
      expect((error as MeetingInProgressError).meetingId).toBe('m1');
    }
  });

  it('refuses a second meeting whose caller saw the holder live', () => {
    spec
      .given([claimed('m1')])
      .when(claim('m2', later(1_000), { meetingId: 'm1', status: 'live' }))
      .thenThrows('MEETING_IN_PROGRESS');
  });

  it('is free again once released', () => {
    spec
      .given([claimed('m1'), released('m1')])
      .when(claim('m2', later(5)))
      .then([claimed('m2', later(5))]);
  });

  it('is a no-op for the holder claiming again', () => {
    spec
      .given([claimed('m1')])
      .when(claim('m1'))
      .then([]);
  });

  it('passes to a new meeting when its holder ended without releasing (a crash)', () => {
    spec
      .given([claimed('m1')])
      .when(claim('m2', later(10), { meetingId: 'm1', status: 'ended' }))
      .then([claimed('m2', later(10))]);
  });

  it('ignores what the caller saw of a meeting that no longer holds it', () => {
    spec
      .given([claimed('m1'), released('m1'), claimed('m3')])
      .when(claim('m2', later(10), { meetingId: 'm1', status: 'ended' }))
      .thenThrows('MEETING_IN_PROGRESS');
  });

  it('waits before taking a claim whose meeting never started: the start may still be on its way', () => {
    spec
      .given([claimed('m1')])
      .when(claim('m2', later(1_000), { meetingId: 'm1', status: 'never-started' }))
      .thenThrows('MEETING_IN_PROGRESS');
    spec
      .given([claimed('m1')])
      .when(claim('m2', later(ABANDONED_CLAIM_MS), { meetingId: 'm1', status: 'never-started' }))
      .then([claimed('m2', later(ABANDONED_CLAIM_MS))]);
  });

  it('is released only by its holder', () => {
    spec
      .given([claimed('m1')])
      .when(release('m1'))
      .then([released('m1')]);
    spec
      .given([claimed('m1')])
      .when(release('m2'))
      .then([]);
    spec.given([]).when(release('m1')).then([]);
  });
});
