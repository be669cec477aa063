import type pg from 'pg';
import type { ContactService } from '../application/contacts/contact-service.js';
import { streams } from '../domain/events.js';
import { summarize } from './support.js';

/** `count` messages by `senderId` appended to a conversation's stream with one SQL statement (no deciders). */
export async function seedMessages(pool: pg.Pool, contactId: string, senderId: string, metadata: object, count: number) {
  await pool.query(
    `INSERT INTO events (stream_id, revision, event_id, type, data, metadata)
     SELECT $1, i, gen_random_uuid(), 'MessageSent',
            jsonb_build_object('contactId', $2::text, 'messageId', gen_random_uuid(), 'senderId', $3::text, 'text', 'seeded message ' || i),
            $4::jsonb
     FROM generate_series(1, $5) AS i`,
    [streams.contact(contactId), contactId, senderId, JSON.stringify(metadata), count],
  );
}

/** `sends` messages one after another through the real handler: how long each took. */
export async function timeSends(service: ContactService, senderId: string, contactId: string, sends: number) {
  const context = { userId: senderId, correlationId: 'bench' };
  const latencies: number[] = [];
  for (let i = 0; i < sends; i++) {
    const start = performance.now();
    await service.sendMessage(senderId, contactId, { text: `hello ${i}` }, context);
    latencies.push(performance.now() - start);
  }
  return summarize(latencies);
}
