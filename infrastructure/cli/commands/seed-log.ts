import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { beginBulkAppend } from './bulk-append.js';

export interface SeedOptions {
  /** Roughly how many events to write (the mix below is scaled to it). */
  events: number;
  users?: number;
  contacts?: number;
  /** Makes ids and names unique to this run, so seeding twice adds a second, separate population. */
  salt?: string;
  /** Called inside the transaction after each chunk is written (awaited). */
  onProgress?(written: number, total: number): void | Promise<void>;
}

export interface SeedResult {
  events: number;
  users: number;
  contacts: number;
  messages: number;
  firstPosition: number;
  lastPosition: number;
}

const CHUNK = 100_000;

/**
 * Writes a realistic log straight into the `events` table with set-based SQL (no HTTP, no deciders):
 * accounts with their username claims, direct contacts (requested, then accepted), messages (skewed towards busy conversations), some
 * edited, some deleted, read receipts and short meetings. Every stream is one the deciders could have
 * written: edits and deletes are the sender's own, reads move forward, one meeting at a time per contact.
 * Sort keys interleave streams the way time would; positions follow them. One transaction.
 */
export async function seedEvents(client: pg.ClientBase, options: SeedOptions): Promise<SeedResult> {
  const salt = options.salt ?? randomBytes(4).toString('hex');
  if (!/^[0-9a-f]{1,12}$/.test(salt)) throw new Error('salt must be 1-12 lowercase hex digits');
  const users = Math.max(2, options.users ?? Math.min(5_000, Math.max(4, Math.round(options.events / 500))));
  const maxContacts = (users * (users - 1)) / 2;
  const contacts = Math.max(1, Math.min(maxContacts, options.contacts ?? Math.max(1, Math.round(options.events / 100))));
  // Per message: 1 send + 1/17 edits + 1/50 deletes + 1/20 reads + 3/200 meeting events.
  const perMessage = 1 + 1 / 17 + 1 / 50 + 1 / 20 + 3 / 200;
  const messages = Math.max(0, Math.round((options.events - 2 * users - 2 * contacts) / perMessage));

  await client.query('BEGIN');
  try {
    await client.query(
      `CREATE TEMP TABLE seed_messages ON COMMIT DROP AS
      WITH m AS (
        SELECT m, (floor($4::int * power(((m * 2654435761) % 1000003) / 1000003.0, 2)))::int AS c FROM generate_series(0, $3::int - 1) m
      )
      SELECT m.m, m.c,
        md5($1 || ':c:' || m.c)::uuid AS contact_id,
        CASE WHEN m.m % 2 = 0 THEN md5($1 || ':u:' || (m.c % $2)) ELSE md5($1 || ':u:' || ((m.c % $2 + 1 + m.c / $2) % $2)) END::uuid AS sender,
        CASE WHEN m.m % 2 = 0 THEN md5($1 || ':u:' || ((m.c % $2 + 1 + m.c / $2) % $2)) ELSE md5($1 || ':u:' || (m.c % $2)) END::uuid AS peer,
        md5($1 || ':m:' || m.m)::uuid AS message_id
      FROM m`,
      [salt, users, messages, contacts],
    );
    const base = `(now() - ($5::bigint * interval '10 milliseconds'))`;
    await client.query(
      `CREATE TEMP TABLE seed_events ON COMMIT DROP AS
       WITH raw AS (
         SELECT 2 * u AS k, 'username-s' || $1 || '_' || u AS stream_id, 'UsernameClaimed' AS type,
                jsonb_build_object('username', 's' || $1 || '_' || u, 'userId', md5($1 || ':u:' || u)::uuid) AS data, md5($1 || ':u:' || u)::uuid AS actor
         FROM generate_series(0, $2::int - 1) u
         UNION ALL
         SELECT 2 * u + 1, 'account-' || md5($1 || ':u:' || u)::uuid, 'AccountRegistered',
                jsonb_build_object('userId', md5($1 || ':u:' || u)::uuid, 'username', 's' || $1 || '_' || u, 'displayName', 'Seeded user ' || u),
                md5($1 || ':u:' || u)::uuid
         FROM generate_series(0, $2::int - 1) u
         UNION ALL
         SELECT 2 * $2::bigint + 2 * c, 'contact-' || md5($1 || ':c:' || c)::uuid, 'ContactRequested',
                jsonb_build_object('contactId', md5($1 || ':c:' || c)::uuid, 'kind', 'direct',
                  'members', jsonb_build_array(md5($1 || ':u:' || (c % $2))::uuid, md5($1 || ':u:' || ((c % $2 + 1 + c / $2) % $2))::uuid),
                  'requestedBy', md5($1 || ':u:' || (c % $2))::uuid, 'recipientId', md5($1 || ':u:' || ((c % $2 + 1 + c / $2) % $2))::uuid,
                  'message', NULL, 'silenced', false),
                md5($1 || ':u:' || (c % $2))::uuid
         FROM generate_series(0, $3::int - 1) c
         UNION ALL
         SELECT 2 * $2::bigint + 2 * c + 1, 'contact-' || md5($1 || ':c:' || c)::uuid, 'ContactAdded',
                jsonb_build_object('contactId', md5($1 || ':c:' || c)::uuid, 'kind', 'direct',
                  'members', jsonb_build_array(md5($1 || ':u:' || (c % $2))::uuid, md5($1 || ':u:' || ((c % $2 + 1 + c / $2) % $2))::uuid),
                  'addedBy', md5($1 || ':u:' || ((c % $2 + 1 + c / $2) % $2))::uuid),
                md5($1 || ':u:' || ((c % $2 + 1 + c / $2) % $2))::uuid
         FROM generate_series(0, $3::int - 1) c
         UNION ALL
         SELECT $4::bigint + m * 10, 'contact-' || contact_id, 'MessageSent',
                jsonb_build_object('contactId', contact_id, 'messageId', message_id, 'senderId', sender,
                  'text', rtrim('Message ' || m || ' ' || repeat('lorem ipsum ', (m % 9)::int))), sender
         FROM seed_messages
         UNION ALL
         SELECT $4::bigint + (m + 3) * 10 + 1, 'contact-' || contact_id, 'MessageEdited',
                jsonb_build_object('contactId', contact_id, 'messageId', message_id, 'editorId', sender, 'text', 'Message ' || m || ', edited'), sender
         FROM seed_messages WHERE m % 17 = 5
         UNION ALL
         SELECT $4::bigint + (m + 5) * 10 + 2, 'contact-' || contact_id, 'MessageDeleted',
                jsonb_build_object('contactId', contact_id, 'messageId', message_id, 'deletedBy', sender), sender
         FROM seed_messages WHERE m % 50 = 7
         UNION ALL
         SELECT $4::bigint + m * 10 + 3, 'contact-' || contact_id, 'ConversationRead',
                jsonb_build_object('contactId', contact_id, 'userId', peer, 'messageId', message_id), peer
         FROM seed_messages WHERE m % 20 = 3
         UNION ALL
         SELECT $4::bigint + m * 10 + 4, 'meeting-' || md5($1 || ':meeting:' || m)::uuid, 'MeetingStarted',
                jsonb_build_object('meetingId', md5($1 || ':meeting:' || m)::uuid, 'contactId', contact_id, 'startedBy', sender,
                  'members', jsonb_build_array(sender, peer), 'invitees', jsonb_build_array(peer),
                  'startedAt', to_char((${base} + ($4::bigint + m * 10 + 4) * interval '10 milliseconds') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                  'ringUntil', to_char((${base} + ($4::bigint + m * 10 + 4) * interval '10 milliseconds' + interval '45 seconds') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
                sender
         FROM seed_messages WHERE m % 200 = 11
         UNION ALL
         SELECT $4::bigint + m * 10 + 5, 'meeting-' || md5($1 || ':meeting:' || m)::uuid, 'ParticipantJoined',
                jsonb_build_object('meetingId', md5($1 || ':meeting:' || m)::uuid, 'contactId', contact_id, 'userId', peer, 'peerId', 'peer-' || m,
                  'joinedAt', to_char((${base} + ($4::bigint + m * 10 + 5) * interval '10 milliseconds') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
                peer
         FROM seed_messages WHERE m % 200 = 11
         UNION ALL
         SELECT $4::bigint + (m + 2) * 10 + 6, 'meeting-' || md5($1 || ':meeting:' || m)::uuid, 'MeetingEnded',
                jsonb_build_object('meetingId', md5($1 || ':meeting:' || m)::uuid, 'contactId', contact_id, 'reason', 'ended', 'endedBy', sender,
                  'endedAt', to_char((${base} + ($4::bigint + (m + 2) * 10 + 6) * interval '10 milliseconds') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
                sender
         FROM seed_messages WHERE m % 200 = 11
       )
       SELECT row_number() OVER (ORDER BY k) AS n, stream_id,
              row_number() OVER (PARTITION BY stream_id ORDER BY k) - 1 AS revision, type, data,
              jsonb_build_object('userId', actor, 'correlationId', md5($1 || ':k:' || k)::uuid, 'causationId', md5($1 || ':k:' || k)::uuid,
                'timestamp', to_char((${base} + k * interval '10 milliseconds') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                'schemaVersion', 1, 'seeded', true) AS metadata
       FROM raw`,
      [salt, users, contacts, 2 * users + 2 * contacts, 2 * users + 2 * contacts + messages * 10 + 100],
    );
    await client.query('CREATE INDEX ON seed_events (n)');
    const append = await beginBulkAppend(client);
    const { rows: countRows } = await client.query<{ total: string }>('SELECT count(*) AS total FROM seed_events');
    const total = Number(countRows[0].total);
    let firstPosition = 0;
    let lastPosition = 0;
    for (let from = 1; from <= total; from += CHUNK) {
      const { rows } = await client.query<{ first: string; last: string }>(
        `WITH written AS (
           INSERT INTO events (stream_id, revision, event_id, type, data, metadata)
           SELECT stream_id, revision, gen_random_uuid(), type, data, metadata FROM seed_events WHERE n >= $1 AND n < $2 ORDER BY n
           RETURNING position)
         SELECT min(position) AS first, max(position) AS last FROM written`,
        [from, from + CHUNK],
      );
      firstPosition ||= Number(rows[0].first);
      lastPosition = Number(rows[0].last);
      await options.onProgress?.(Math.min(total, from + CHUNK - 1), total);
    }
    await append.release();
    await client.query('COMMIT');
    return { events: total, users, contacts, messages, firstPosition, lastPosition };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    await client.query('SELECT pg_advisory_unlock_all()').catch(() => {});
    throw error;
  }
}
