import { randomUUID } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type pg from 'pg';
import type { EventStore, NewEvent } from '../../application/ports/event-store.js';
import { directContactId } from '../../application/contacts/contact-id.js';

export const PASSWORD = 'correct horse battery';

/**
 * The log issue 12's attack left behind, written as the API of the time accepted it: ana sent `x`; ben sent
 * `X` (ana's id upper-cased: the decider compared strings), edited it to a promise of money and deleted it;
 * ana sent `y` spelled `urn:uuid:y` and ben read up to it, spelled in upper case.
 */
export async function writeLegacyLog(store: EventStore, pool: pg.Pool) {
  const ana = randomUUID();
  const ben = randomUUID();
  const contactId = directContactId(ana, ben);
  const x = randomUUID();
  const y = randomUUID();
  const start = Date.now() - 60 * 60_000;
  const moments: string[] = [];
  let position = 0;

  const append = async (stream: string, type: string, data: object, userId: string) => {
    const timestamp = new Date(start + moments.length * 60_000).toISOString();
    moments.push(timestamp);
    const event: NewEvent = {
      id: randomUUID(),
      type,
      data,
      metadata: { userId, correlationId: randomUUID(), causationId: randomUUID(), timestamp, schemaVersion: 1 },
    };
    position = (await store.appendToStream(stream, [event])).position;
  };

  for (const [userId, username] of [
    [ana, 'ana'],
    [ben, 'ben'],
  ]) {
    await pool.query('INSERT INTO credentials (user_id, password_hash) VALUES ($1, $2)', [userId, bcrypt.hashSync(PASSWORD, 4)]);
    await append(`username-${username}`, 'UsernameClaimed', { username, userId }, userId);
    await append(`account-${userId}`, 'AccountRegistered', { userId, username, displayName: username }, userId);
  }
  const stream = `contact-${contactId}`;
  await append(stream, 'ContactAdded', { contactId, kind: 'direct', members: [ana, ben], addedBy: ana }, ana);
  await append(stream, 'MessageSent', { contactId, messageId: x, senderId: ana, text: 'see you at 8' }, ana);
  await append(stream, 'MessageSent', { contactId, messageId: x.toUpperCase(), senderId: ben, text: 'placeholder' }, ben);
  await append(stream, 'MessageEdited', { contactId, messageId: x.toUpperCase(), editorId: ben, text: 'I will pay you 10000 EUR' }, ben);
  await append(stream, 'MessageDeleted', { contactId, messageId: x.toUpperCase(), deletedBy: ben }, ben);
  await append(stream, 'MessageSent', { contactId, messageId: `urn:uuid:${y}`, senderId: ana, text: 'or at 9' }, ana);
  await append(stream, 'ConversationRead', { contactId, userId: ben, messageId: y.toUpperCase() }, ben);

  return { ana, ben, contactId, x, y, moments, head: position };
}
