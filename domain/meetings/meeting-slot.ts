import { DomainError, type Decider } from '../decider.js';
import type { MeetingSlotClaimed, MeetingSlotEvent, MeetingSlotReleased } from './events.js';

/**
 * The `meeting-slot-<contactId>` stream: at most one active meeting per contact. A start claims the slot
 * (appended under the revision it read, so of two concurrent starts on any nodes exactly one wins) before
 * its meeting stream exists; the end releases it.
 *
 * A claim can outlive its meeting when a node dies between the meeting's end and the release, or between
 * the claim and the start. The caller then tells the decider what it found in the holder's stream, and a
 * holder that has ended (or never started, long enough ago) no longer blocks the slot.
 */
export type ClaimMeetingSlot = {
  type: 'ClaimMeetingSlot';
  data: { meetingId: string; at: string; holder?: { meetingId: string; status: 'ended' | 'never-started' | 'live' } };
};
export type ReleaseMeetingSlot = {
  type: 'ReleaseMeetingSlot';
  data: { meetingId: string };
};
export type MeetingSlotCommand = ClaimMeetingSlot | ReleaseMeetingSlot;

export type MeetingSlotState = { holder: { meetingId: string; claimedAt: string } | null };

/** A claim whose meeting stream still does not exist after this long was left by a crashed start. */
export const ABANDONED_CLAIM_MS = 60_000;

export class MeetingInProgressError extends DomainError {
  constructor(readonly meetingId: string) {
    super('MEETING_IN_PROGRESS', 'This contact already has a meeting in progress');
  }
}

export const meetingSlotDecider: Decider<MeetingSlotState, MeetingSlotCommand, MeetingSlotEvent> = {
  initialState: () => ({ holder: null }),

  decide(command, state) {
    const { holder } = state;
    if (command.type === 'ReleaseMeetingSlot') {
      if (holder?.meetingId !== command.data.meetingId) return [];
      const released: MeetingSlotReleased = { type: 'MeetingSlotReleased', data: { meetingId: command.data.meetingId } };
      return [released];
    }
    const { meetingId, at } = command.data;
    if (holder?.meetingId === meetingId) return [];
    if (holder && !isStale(holder, command.data)) throw new MeetingInProgressError(holder.meetingId);
    const claimed: MeetingSlotClaimed = { type: 'MeetingSlotClaimed', data: { meetingId, claimedAt: at } };
    return [claimed];
  },

  evolve(_state, event) {
    return event.type === 'MeetingSlotClaimed'
      ? { holder: { meetingId: event.data.meetingId, claimedAt: event.data.claimedAt } }
      : { holder: null };
  },
};

function isStale(holder: NonNullable<MeetingSlotState['holder']>, claim: ClaimMeetingSlot['data']): boolean {
  if (claim.holder?.meetingId !== holder.meetingId) return false;
  if (claim.holder.status === 'ended') return true;
  return claim.holder.status === 'never-started' && Date.parse(claim.at) - Date.parse(holder.claimedAt) >= ABANDONED_CLAIM_MS;
}
