import { Type } from '@sinclair/typebox';
import type { Logger } from 'pino';
import type { MeetingService } from '../../application/meetings/meeting-service.js';
import type { Clock, IdGenerator } from '../../application/shared/clock.js';
import { DomainError } from '../../domain/decider.js';
import { Uuid } from '../http/schemas.js';
import { PayloadTooLargeError } from '../http/transport-limit-error.js';
import { RateLimitedError } from '../rate-limits/rate-limited-error.js';
import { participantOf } from '../../domain/meetings/meeting.js';
import type { PostgresMeetingSeats } from '../meetings/postgres-meeting-seats.js';
import type { DerbelSocket, SocketGateway } from './socket-gateway.js';
import { validatedEvent } from './socket-payload.js';
import { TokenBucket } from './socket-rate-limiter.js';

/** Signaling is relayed, never stored; offers with many candidates stay far below this. */
export const MAX_SIGNAL_BYTES = 64 * 1024;

/**
 * Signals one socket may send at once, then per second for as long as it keeps sending. A call's offer,
 * answer and trickled ICE candidates (a few dozen at most, even on a renegotiation) fit in the burst; a
 * flood, which Redis would carry to the peer on every node, is refused with `RATE_LIMITED`.
 */
export const SIGNAL_BURST = 50;
export const SIGNALS_PER_SECOND = 20;

/** Each seat's socket joins this room, so a signal reaches it on whichever node it is connected. */
export const peerRoom = (peerId: string) => `peer:${peerId}`;

const MeetingRef = Type.Object({ meetingId: Uuid });
const Signal = Type.Object({ meetingId: Uuid, to: Uuid, data: Type.Object({}, { additionalProperties: true }) });
/** `video`: camera or screen on; `sharing`: it is the screen (one person shares at a time, the clients settle who). */
const Media = Type.Object({ meetingId: Uuid, audio: Type.Boolean(), video: Type.Boolean(), sharing: Type.Optional(Type.Boolean()) });

export interface MeetingSocketDeps {
  meetings: MeetingService;
  seats: PostgresMeetingSeats;
  clock: Clock;
  ids: IdGenerator;
  log: Logger;
}

/**
 * A participant is a live connection: `meeting:join` gives the socket a seat under a fresh peer id (one per
 * socket, so "the seat's last socket went away" is simply "this socket disconnected", on any node), and the
 * seat is recorded in `meeting_seats` for the sweeper. Returns a stop function for the lease renewal timer.
 */
export function registerMeetingSocketEvents(gateway: SocketGateway, deps: MeetingSocketDeps): () => void {
  const { meetings, seats, clock, ids, log } = deps;
  const heldHere = new Set<string>();
  const renewal = setInterval(
    () => void seats.renew([...heldHere], clock.now()).catch((err) => log.warn({ err }, 'meeting seat lease renewal failed')),
    Math.max(1_000, Math.floor(seats.leaseMs / 3)),
  );
  renewal.unref();

  /**
   * What a socket holds in meetings, made on its first meeting event (most sockets never join a call): the
   * handlers below are made once and shared by every socket, so a connect adds five listeners and nothing else.
   */
  const states = new WeakMap<DerbelSocket, { held: Map<string, string>; signals: TokenBucket }>();
  const stateOf = (socket: DerbelSocket) => {
    let state = states.get(socket);
    if (!state) {
      /** held: meetingId → the peer id this socket holds the user's seat under. */
      state = { held: new Map(), signals: new TokenBucket({ burst: SIGNAL_BURST, perSecond: SIGNALS_PER_SECOND }) };
      states.set(socket, state);
    }
    return state;
  };
  const onError = (err: unknown) => log.error({ err }, 'meeting socket event failed');
  const context = (socket: DerbelSocket) => ({ userId: socket.data.userId, correlationId: ids.newId() });

  const release = async (socket: DerbelSocket, meetingId: string, peerId: string) => {
    stateOf(socket).held.delete(meetingId);
    heldHere.delete(peerId);
    await socket.leave(peerRoom(peerId));
  };

  /** The peer id this socket holds a current seat under; refused for anyone else (strangers: not found). */
  const seatOf = async (socket: DerbelSocket, meetingId: string) => {
    const { userId } = socket.data;
    const state = await meetings.stateFor(userId, meetingId);
    if (state.status === 'ended') throw new DomainError('MEETING_ENDED', 'This meeting has ended');
    const peerId = stateOf(socket).held.get(meetingId);
    if (!peerId || participantOf(state, userId)?.peerId !== peerId) {
      throw new DomainError('NOT_A_PARTICIPANT', 'Join the meeting on this connection first');
    }
    return { peerId, state };
  };

  const join = validatedEvent(
    MeetingRef,
    async (socket: DerbelSocket, { meetingId }) => {
      const { userId } = socket.data;
      const { held } = stateOf(socket);
      const peerId = held.get(meetingId) ?? ids.newId();
      // In the room before the others learn the peer id: their first offer must not be lost.
      await socket.join(peerRoom(peerId));
      let joined;
      try {
        joined = await meetings.join(userId, meetingId, peerId, context(socket));
      } catch (error) {
        if (!held.has(meetingId)) await socket.leave(peerRoom(peerId));
        throw error;
      }
      held.set(meetingId, peerId);
      heldHere.add(peerId);
      await seats.take({ meetingId, userId, peerId }, clock.now());
      if (socket.disconnected) {
        // It went away while joining, after its disconnect handler ran: the grace starts now.
        heldHere.delete(peerId);
        await seats.disconnected(peerId, clock.now());
      }
      return { peerId, participants: joined.participants };
    },
    onError,
  );

  const leave = validatedEvent(
    MeetingRef,
    async (socket: DerbelSocket, { meetingId }) => {
      const { userId } = socket.data;
      const peerId = stateOf(socket).held.get(meetingId);
      try {
        // Strangers, and members no longer (out of the group: their seat was given up for them): not found.
        await meetings.stateFor(userId, meetingId);
      } catch (error) {
        if (peerId) {
          await release(socket, meetingId, peerId);
          await seats.remove(meetingId, userId, peerId);
        }
        throw error;
      }
      // Another tab of the same user may hold the seat; only the connection that took it gives it up.
      if (!peerId) throw new DomainError('NOT_A_PARTICIPANT', 'This connection holds no seat in this meeting');
      await meetings.leave(userId, meetingId, context(socket), { reason: 'left', peerId });
      await release(socket, meetingId, peerId);
      await seats.remove(meetingId, userId, peerId);
    },
    onError,
  );

  const signal = validatedEvent(
    Signal,
    async (socket: DerbelSocket, { meetingId, to, data }) => {
      // Counted on arrival, before any work: a refused signal costs no database read and is not relayed.
      if (!stateOf(socket).signals.take()) {
        throw new RateLimitedError(
          Math.ceil(1000 / SIGNALS_PER_SECOND),
          `Too many signals from this connection: at most ${SIGNAL_BURST} at once, then ${SIGNALS_PER_SECOND} a second`,
        );
      }
      if (Buffer.byteLength(JSON.stringify(data)) > MAX_SIGNAL_BYTES) {
        throw new PayloadTooLargeError(`A signal carries at most ${MAX_SIGNAL_BYTES} bytes`);
      }
      const { peerId: from, state } = await seatOf(socket, meetingId);
      if (!state.participants.some((p) => p.peerId === to && p.peerId !== from)) {
        throw new DomainError('PEER_NOT_IN_MEETING', 'The target is not a participant of this meeting');
      }
      gateway.io.to(peerRoom(to)).emit('signal', { meetingId, from, fromUserId: socket.data.userId, data });
    },
    onError,
  );

  const media = validatedEvent(
    Media,
    async (socket: DerbelSocket, { meetingId, audio, video, sharing = false }) => {
      const { userId } = socket.data;
      const { peerId, state } = await seatOf(socket, meetingId);
      const others = state.participants.filter((p) => p.userId !== userId).map((p) => p.userId);
      gateway.emitEphemeral(others, 'ParticipantMediaChanged', { meetingId, userId, peerId, audio, video, sharing });
    },
    onError,
  );

  function disconnected(this: DerbelSocket) {
    const state = states.get(this);
    if (!state) return;
    const now = clock.now();
    for (const [meetingId, peerId] of state.held) {
      heldHere.delete(peerId);
      void seats.disconnected(peerId, now).catch((err) => log.warn({ err, meetingId }, 'could not record a seat disconnect'));
    }
    state.held.clear();
  }

  gateway.onConnection((socket: DerbelSocket) => {
    socket.on('meeting:join', join);
    socket.on('meeting:leave', leave);
    socket.on('signal', signal);
    socket.on('meeting:media', media);
    socket.on('disconnect', disconnected);
  });

  return () => clearInterval(renewal);
}
