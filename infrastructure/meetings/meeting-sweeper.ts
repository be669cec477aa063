import pg from 'pg';
import { ADVISORY_LOCKS } from '../database/advisory-locks.js';
import type { MeetingService } from '../../application/meetings/meeting-service.js';
import type { Clock } from '../../application/shared/clock.js';
import { ringsDue } from '../../projections/active-meetings/active-meetings.queries.js';
import type { PostgresMeetingSeats } from './postgres-meeting-seats.js';

export interface SweeperOptions {
  connectionString: string;
  pool: pg.Pool;
  meetings: MeetingService;
  seats: PostgresMeetingSeats;
  clock: Clock;
  reconnectGraceMs: number;
  intervalMs: number;
  nodeId: string;
  log?: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
}

export const SWEEPER_LOCK_NAMESPACE = ADVISORY_LOCKS.meetingSweeper;
export const SWEEPER_APPLICATION_NAME = 'derbel-meeting-sweeper';
const ENDED_SEATS_AGE_MS = 5 * 60_000;

/**
 * Drives the meeting deadlines from stored state: rings past `ring_until` (the `active_meetings` read model)
 * and seats gone longer than the reconnect grace (`meeting_seats`). One node at a time holds the advisory
 * lock and sweeps; when it dies, its connection drops the lock and another node's sweeper takes over on
 * its next tick. Nothing is scheduled in memory, and the deciders turn any repeat into a no-op, so each
 * deadline takes effect exactly once whichever node, and however many, sweep it.
 */
export class MeetingSweeper {
  private client: pg.Client | null = null;
  private leader = false;
  private stopped = true;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private lastGc = 0;

  constructor(private readonly options: SweeperOptions) {}

  get isLeader() {
    return this.leader;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    await this.dropConnection();
  }

  /** One pass over what is due now. */
  async sweepOnce(): Promise<{ missed: number; disconnected: number }> {
    const { meetings, seats, clock, reconnectGraceMs } = this.options;
    const context = () => ({ userId: null, correlationId: crypto.randomUUID() });
    let missed = 0;
    let disconnected = 0;
    const now = clock.now();
    for (const meetingId of await ringsDue(this.options.pool, now)) {
      if ((await meetings.expireRing(meetingId, context())).ended) missed++;
    }
    for (const seat of await seats.goneSince(new Date(now.getTime() - reconnectGraceMs))) {
      const { position } = await meetings
        .leave(seat.userId, seat.meetingId, context(), { reason: 'disconnected', peerId: seat.peerId })
        .catch((error) => {
          this.options.log?.warn({ err: error, seat }, 'could not give up a disconnected seat');
          return { position: null };
        });
      if (position !== null) disconnected++;
      await seats.remove(seat.meetingId, seat.userId, seat.peerId);
    }
    if (now.getTime() - this.lastGc > ENDED_SEATS_AGE_MS / 5) {
      this.lastGc = now.getTime();
      await seats.removeSeatsOfEndedMeetings(new Date(now.getTime() - ENDED_SEATS_AGE_MS));
    }
    return { missed, disconnected };
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (await this.holdLeadership()) {
          const swept = await this.sweepOnce();
          if (swept.missed + swept.disconnected > 0)
            this.options.log?.info({ ...swept, node: this.options.nodeId }, 'meeting deadlines swept');
        }
      } catch (error) {
        if (!this.stopped) this.options.log?.warn({ err: error }, 'meeting sweeper failed; retrying');
        await this.dropConnection();
      }
      if (!this.stopped) await this.pause(this.options.intervalMs);
    }
  }

  private async holdLeadership(): Promise<boolean> {
    if (this.leader && this.client) return true;
    if (!this.client) {
      const client = new pg.Client({
        connectionString: this.options.connectionString,
        application_name: `${SWEEPER_APPLICATION_NAME}:${this.options.nodeId}`.slice(0, 63),
      });
      client.on('error', () => {
        this.leader = false;
        if (this.client === client) this.client = null;
      });
      this.client = client;
      await client.connect();
    }
    const { rows } = await this.client.query<{ locked: boolean }>(
      "SELECT pg_try_advisory_lock($1, hashtext('meeting-sweeper')) AS locked",
      [SWEEPER_LOCK_NAMESPACE],
    );
    this.leader = rows[0].locked;
    if (this.leader) this.options.log?.info({ node: this.options.nodeId }, 'meeting sweeper leader');
    return this.leader;
  }

  private async dropConnection() {
    this.leader = false;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => (clearTimeout(timer), resolve());
    });
  }
}
