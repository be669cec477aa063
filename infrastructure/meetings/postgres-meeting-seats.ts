import type pg from 'pg';

export interface GoneSeat {
  meetingId: string;
  userId: string;
  peerId: string;
}

/**
 * Which socket holds each participant's seat, in PostgreSQL so every node and the sweeper see the same
 * thing. A seat is "gone" from the moment its socket disconnected, or from the end of its lease when the
 * node holding it stopped renewing (it died without running any disconnect handler).
 */
export class PostgresMeetingSeats {
  constructor(
    private readonly pool: pg.Pool,
    private readonly nodeId: string,
    readonly leaseMs = 30_000,
  ) {}

  /** The seat is held by a live socket on this node under `peerId` (a rejoin replaces the old holder). */
  async take(seat: GoneSeat, now: Date): Promise<void> {
    await this.pool.query(
      `INSERT INTO meeting_seats (meeting_id, user_id, peer_id, node_id, joined_at, connected_until, disconnected_at)
       VALUES ($1, $2, $3, $4, $5, $6, NULL)
       ON CONFLICT (meeting_id, user_id) DO UPDATE SET
         peer_id = EXCLUDED.peer_id, node_id = EXCLUDED.node_id, joined_at = EXCLUDED.joined_at,
         connected_until = EXCLUDED.connected_until, disconnected_at = NULL`,
      [seat.meetingId, seat.userId, seat.peerId, this.nodeId, now, this.leaseEnd(now)],
    );
  }

  /** The socket holding `peerId` went away; the grace starts now. */
  async disconnected(peerId: string, now: Date): Promise<void> {
    await this.pool.query('UPDATE meeting_seats SET disconnected_at = $2 WHERE peer_id = $1 AND disconnected_at IS NULL', [peerId, now]);
  }

  /** Extends the lease of the seats this node's sockets hold. */
  async renew(peerIds: string[], now: Date): Promise<void> {
    if (peerIds.length === 0) return;
    await this.pool.query('UPDATE meeting_seats SET connected_until = $2 WHERE peer_id = ANY($1::uuid[]) AND disconnected_at IS NULL', [
      peerIds,
      this.leaseEnd(now),
    ]);
  }

  /** Forgets a seat: the user left, or the sweeper dealt with it. Only that peer id's row: a rejoin is kept. */
  async remove(meetingId: string, userId: string, peerId?: string): Promise<void> {
    await this.pool.query('DELETE FROM meeting_seats WHERE meeting_id = $1 AND user_id = $2 AND ($3::uuid IS NULL OR peer_id = $3)', [
      meetingId,
      userId,
      peerId ?? null,
    ]);
  }

  /** Seats nobody has held since before `since`. */
  async goneSince(since: Date, limit = 100): Promise<GoneSeat[]> {
    const { rows } = await this.pool.query(
      `SELECT meeting_id, user_id, peer_id FROM meeting_seats
       WHERE least(disconnected_at, connected_until) <= $1 ORDER BY least(disconnected_at, connected_until) LIMIT $2`,
      [since, limit],
    );
    return rows.map((r) => ({ meetingId: r.meeting_id, userId: r.user_id, peerId: r.peer_id }));
  }

  /** Seats of meetings that ended while their socket stayed connected. */
  async removeSeatsOfEndedMeetings(joinedBefore: Date): Promise<number> {
    const { rowCount } = await this.pool.query(
      `DELETE FROM meeting_seats s WHERE s.joined_at < $1 AND NOT EXISTS (SELECT 1 FROM active_meetings a WHERE a.meeting_id = s.meeting_id)`,
      [joinedBefore],
    );
    return rowCount ?? 0;
  }

  private leaseEnd(now: Date) {
    return new Date(now.getTime() + this.leaseMs);
  }
}
