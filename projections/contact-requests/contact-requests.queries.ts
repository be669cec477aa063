import type pg from 'pg';

export interface ContactRequestItem {
  id: string;
  peer: { id: string; username: string };
  direction: 'incoming' | 'outgoing';
  message: string | null;
  requestedAt: string;
}

/**
 * The user's requests, newest first: every one they made (a declined one too: they are not told), and those
 * made to them that they can see (not declined, not silenced).
 */
export async function listRequests(pool: pg.Pool, userId: string): Promise<ContactRequestItem[]> {
  const { rows } = await pool.query(
    `SELECT r.contact_id, r.requester_id = $1 AS outgoing, p.peer_id, a.username, r.message, r.requested_at
     FROM contact_requests r
     CROSS JOIN LATERAL (SELECT CASE WHEN r.requester_id = $1 THEN r.recipient_id ELSE r.requester_id END AS peer_id) p
     LEFT JOIN accounts a ON a.user_id = p.peer_id
     WHERE r.requester_id = $1 OR (r.recipient_id = $1 AND NOT r.declined AND NOT r.silenced)
     ORDER BY r.requested_at DESC, r.contact_id`,
    [userId],
  );
  return rows.map((r) => ({
    id: r.contact_id,
    peer: { id: r.peer_id, username: r.username ?? '' },
    direction: r.outgoing ? 'outgoing' : 'incoming',
    message: r.message,
    requestedAt: r.requested_at.toISOString(),
  }));
}
