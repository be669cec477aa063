import { DomainError } from '../../domain/decider.js';
import { streams } from '../../domain/events.js';
import type { MeetingEvent, MeetingSlotEvent, ParticipantLeftReason } from '../../domain/meetings/events.js';
import {
  meetingDecider,
  MeetingNotFoundError,
  type MeetingCommand,
  type MeetingState,
  type StartedMeeting,
} from '../../domain/meetings/meeting.js';
import { meetingSlotDecider, type MeetingSlotCommand, type MeetingSlotState } from '../../domain/meetings/meeting-slot.js';
import type { ContactService, OpenCalls } from '../contacts/contact-service.js';
import type { EventStore } from '../ports/event-store.js';
import type { Clock, IdGenerator } from '../shared/clock.js';
import type { CommandContext } from '../shared/command-context.js';
import { CommandHandler, type CommandResult } from '../shared/command-handler.js';
import { toMeetingView, type MeetingView } from './meeting-view.js';

export interface MeetingDeps {
  clock: Clock;
  ids: IdGenerator;
  ringTimeoutMs: number;
}

/** Whoever is not a member of the meeting's contact learns nothing about it, not even that it exists. */
const hideFromNonMembers = (error: unknown): never => {
  if (error instanceof DomainError && error.code === 'NOT_A_MEMBER') throw new MeetingNotFoundError();
  throw error;
};

/**
 * Meetings: every command goes through the `meeting-<id>` stream's decider; starting one first claims the
 * contact's `meeting-slot-<contactId>` stream, and whatever ends a meeting releases it (see README.md).
 */
export class MeetingService implements OpenCalls {
  readonly meetings: CommandHandler<MeetingState, MeetingCommand, MeetingEvent>;
  private readonly slots: CommandHandler<MeetingSlotState, MeetingSlotCommand, MeetingSlotEvent>;

  constructor(
    store: EventStore,
    private readonly contacts: ContactService,
    private readonly deps: MeetingDeps,
  ) {
    this.meetings = new CommandHandler(store, meetingDecider, deps);
    this.slots = new CommandHandler(store, meetingSlotDecider, deps);
  }

  async start(userId: string, contactId: string, context: CommandContext): Promise<{ meeting: MeetingView; position: number }> {
    const members = await this.contacts.membersFor(userId, contactId);
    const meetingId = this.deps.ids.newId();
    const now = this.deps.clock.now();
    await this.claimSlot(contactId, meetingId, now.toISOString(), context);
    const ringUntil = new Date(now.getTime() + this.deps.ringTimeoutMs).toISOString();
    try {
      const result = await this.meetings.handle(
        streams.meeting(meetingId),
        { type: 'StartMeeting', data: { meetingId, contactId, startedBy: userId, members, at: now.toISOString(), ringUntil } },
        context,
      );
      return { meeting: toMeetingView(result.state as StartedMeeting), position: result.position! };
    } catch (error) {
      await this.releaseSlot(contactId, meetingId, context);
      throw error;
    }
  }

  /** Takes (or keeps) a seat under `peerId`; answers with everyone seated now. */
  async join(userId: string, meetingId: string, peerId: string, context: CommandContext) {
    await this.stateFor(userId, meetingId);
    const result = await this.command(meetingId, { type: 'JoinMeeting', data: { meetingId, userId, peerId, at: this.now() } }, context);
    const state = result.state as StartedMeeting;
    return { peerId, participants: state.participants.map((p) => ({ ...p })), position: result.position };
  }

  async leave(
    userId: string,
    meetingId: string,
    context: CommandContext,
    options: { reason?: ParticipantLeftReason; peerId?: string } = {},
  ) {
    const { reason = 'left', peerId } = options;
    const result = await this.command(
      meetingId,
      { type: 'LeaveMeeting', data: { meetingId, userId, reason, peerId, at: this.now() } },
      context,
    );
    return { position: result.position };
  }

  async decline(userId: string, meetingId: string, context: CommandContext) {
    await this.stateFor(userId, meetingId);
    const result = await this.command(meetingId, { type: 'DeclineMeeting', data: { meetingId, userId, at: this.now() } }, context);
    return { position: result.position };
  }

  async end(userId: string, meetingId: string, context: CommandContext) {
    await this.stateFor(userId, meetingId);
    const result = await this.command(meetingId, { type: 'EndMeeting', data: { meetingId, userId, at: this.now() } }, context);
    return { position: result.position };
  }

  /** The ring timeout, issued by the sweeper: ends the meeting as missed if nobody answered in time. */
  async expireRing(meetingId: string, context: CommandContext) {
    const result = await this.command(meetingId, { type: 'ExpireRing', data: { meetingId, at: this.now() } }, context);
    return { ended: result.events.some((e) => e.type === 'MeetingEnded'), position: result.position };
  }

  /** A meeting as one of its contact's members sees it (straight from its stream, so never stale). */
  async view(userId: string, meetingId: string): Promise<MeetingView> {
    const state = await this.stateFor(userId, meetingId);
    return toMeetingView(state);
  }

  /**
   * The meeting's current state for a member of an accepted contact; MEETING_NOT_FOUND for anyone else, also
   * for its members once the contact was removed or blocked (they learn nothing about the other any more).
   */
  async stateFor(userId: string, meetingId: string): Promise<StartedMeeting> {
    const { state } = await this.meetings.load(streams.meeting(meetingId));
    if (state.status === 'none' || !state.members.includes(userId)) throw new MeetingNotFoundError();
    await this.contacts.membersFor(userId, state.contactId).catch(() => {
      throw new MeetingNotFoundError();
    });
    return state;
  }

  /** The contact ended (removed, blocked): its ringing or running meeting ends now, by `endedBy`. */
  async endOpenCall(contactId: string, endedBy: string, context: CommandContext): Promise<number | null> {
    const { state } = await this.slots.load(streams.meetingSlot(contactId));
    if (!state.holder) return null;
    const { meetingId } = state.holder;
    const held = (await this.meetings.load(streams.meeting(meetingId))).state;
    if (held.status === 'none' || held.status === 'ended') return null;
    const result = await this.command(meetingId, { type: 'CloseMeeting', data: { meetingId, userId: endedBy, at: this.now() } }, context);
    return result.position;
  }

  /**
   * `userId` is no longer a member of the group: out of its ringing or running call — their seat given up, or
   * the ring for them stopped (`DismissFromMeeting`); the call goes on for the others.
   */
  async leaveOpenCall(contactId: string, userId: string, context: CommandContext): Promise<number | null> {
    const { state } = await this.slots.load(streams.meetingSlot(contactId));
    if (!state.holder) return null;
    const { meetingId } = state.holder;
    const held = (await this.meetings.load(streams.meeting(meetingId))).state;
    if (held.status === 'none' || held.status === 'ended' || !held.members.includes(userId)) return null;
    const result = await this.command(meetingId, { type: 'DismissFromMeeting', data: { meetingId, userId, at: this.now() } }, context);
    return result.position ?? null;
  }

  private async command(
    meetingId: string,
    command: MeetingCommand,
    context: CommandContext,
  ): Promise<CommandResult<MeetingState, MeetingEvent>> {
    const result = await this.meetings.handle(streams.meeting(meetingId), command, context).catch(hideFromNonMembers);
    const ended = result.events.find((e) => e.type === 'MeetingEnded');
    if (ended) await this.releaseSlot(ended.data.contactId, meetingId, context);
    return result;
  }

  private async claimSlot(contactId: string, meetingId: string, at: string, context: CommandContext) {
    const slot = streams.meetingSlot(contactId);
    const { state } = await this.slots.load(slot);
    let holder: { meetingId: string; status: 'ended' | 'never-started' | 'live' } | undefined;
    if (state.holder && state.holder.meetingId !== meetingId) {
      const held = (await this.meetings.load(streams.meeting(state.holder.meetingId))).state;
      const status = held.status === 'none' ? 'never-started' : held.status === 'ended' ? 'ended' : 'live';
      holder = { meetingId: state.holder.meetingId, status };
    }
    await this.slots.handle(slot, { type: 'ClaimMeetingSlot', data: { meetingId, at, holder } }, context);
  }

  private async releaseSlot(contactId: string, meetingId: string, context: CommandContext) {
    // Best effort: a claim left behind by a failure here is taken over by the next start (see the slot decider).
    await this.slots.handle(streams.meetingSlot(contactId), { type: 'ReleaseMeetingSlot', data: { meetingId } }, context).catch(() => {});
  }

  private now() {
    return this.deps.clock.now().toISOString();
  }
}
