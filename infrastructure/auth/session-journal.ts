import type pg from 'pg';

export type SessionEventKind =
  | 'signed-in'
  | 'sign-in-failed'
  | 'renewed'
  | 'signed-out'
  | 'ended-from-another-device'
  | 'signed-out-everywhere'
  | 'refresh-token-reused';

/** Where a request came from, as the journal keeps it. */
export interface Device {
  address: string;
  userAgent: string | null;
}

export interface SessionEvent extends Partial<Device> {
  kind: SessionEventKind;
  userId?: string | null;
  sessionId?: string | null;
  username?: string | null;
}

export interface ActiveSession {
  id: string;
  createdAt: string;
  lastActiveAt: string;
  address: string | null;
  userAgent: string | null;
}

/**
 * A username as someone typed it, kept for the audit: PostgreSQL text cannot hold NUL, and the other control
 * characters are no help to a reader, so each shows as U+FFFD.
 */
function journaled(username: string | null | undefined): string | null {
  // Replacing control characters is the point.
  // eslint-disable-next-line no-control-regex
  return username == null ? null : username.slice(0, 64).replace(/[\u0000-\u001f\u007f-\u009f]/g, '\ufffd');
}

/** The `session_events` journal and the device each session was opened on (migration 011). */
export class SessionJournal {
  constructor(private readonly pool: pg.Pool) {}

  async record(event: SessionEvent): Promise<void> {
    await this.pool.query(
      'INSERT INTO session_events (kind, user_id, session_id, username, address, user_agent) VALUES ($1, $2, $3, $4, $5, $6)',
      [event.kind, event.userId ?? null, event.sessionId ?? null, journaled(event.username), event.address ?? null, clip(event.userAgent)],
    );
  }

  async openedOn(sessionId: string, device: Device): Promise<void> {
    await this.pool.query('UPDATE sessions SET address = $2, user_agent = $3 WHERE id = $1', [
      sessionId,
      device.address,
      clip(device.userAgent),
    ]);
  }

  async activeSessionsOf(userId: string): Promise<ActiveSession[]> {
    const { rows } = await this.pool.query(
      `SELECT id, created_at, renewed_at, address, user_agent FROM sessions
       WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() ORDER BY renewed_at DESC, id`,
      [userId],
    );
    return rows.map((r) => ({
      id: r.id,
      createdAt: r.created_at.toISOString(),
      lastActiveAt: r.renewed_at.toISOString(),
      address: r.address,
      userAgent: r.user_agent,
    }));
  }

  /** The journal of an account (by user id, or by the username typed at failed sign-ins), oldest first. */
  async history(filter: { userId: string | null; username: string; limit: number }) {
    const { rows } = await this.pool.query(
      `SELECT at, kind, user_id, session_id, username, address, user_agent FROM session_events
       WHERE ($1::uuid IS NOT NULL AND user_id = $1) OR lower(username) = lower($2)
       ORDER BY at DESC, id DESC LIMIT $3`,
      [filter.userId, filter.username, filter.limit],
    );
    return rows.reverse().map((r) => ({
      at: r.at.toISOString() as string,
      kind: r.kind as SessionEventKind,
      sessionId: r.session_id as string | null,
      username: r.username as string | null,
      address: r.address as string | null,
      userAgent: r.user_agent as string | null,
    }));
  }
}

const clip = (userAgent: string | null | undefined) => (userAgent ? userAgent.slice(0, 300) : null);
