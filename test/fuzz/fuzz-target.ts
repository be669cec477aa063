import pg from 'pg';
import { expect } from 'vitest';
import { ApiClient, connected, eventually, recordEvents } from '../support/api-client.js';
import { png, temporaryDataDir, upload } from '../support/attachments.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** Limits raised: the fuzzer is one user sending as fast as it can, and must reach every handler, not a 429. */
const UNLIMITED = Object.fromEntries(
  [
    'SIGN_UP',
    'SIGN_IN',
    'FAILED_SIGN_INS_PER_ADDRESS',
    'MESSAGES',
    'EDITS',
    'CONTACT_ADDS',
    'RINGS',
    'SEARCHES',
    'UPLOADS',
    'SOCKET_EVENTS',
  ].map((name) => [`RATE_LIMIT_${name}`, '1000000/1s']),
);

export interface FuzzTarget {
  t: TestServer;
  ana: ApiClient;
  ben: ApiClient;
  contactId: string;
  messageId: string;
  meetingId: string;
  attachmentId: string;
  /** A request from a third user to ana (accept, decline, cancel, remove aim there, not at ana and ben's contact). */
  requestId: string;
  /** That third user: someone to block and unblock. */
  strangerId: string;
  close(): Promise<void>;
}

/** A server with two contacts, a message, a meeting, an attachment and a contact request to aim at. */
export async function startFuzzTarget(): Promise<FuzzTarget> {
  // Uploaded files go to a folder of the run's own.
  const data = await temporaryDataDir();
  const t = await startTestServer({ env: { ...UNLIMITED, DATA_DIR: data.dir } });
  const [ana, ben, cat] = await Promise.all(['ana', 'ben', 'cat'].map((n) => new ApiClient(t.url).signUp(n)));
  const requestId = await cat.requestContact(ana, 'a request to aim at');
  const contactId = await ana.addContact(ben);
  const sent = await ana.post(`/api/contacts/${contactId}/messages`, { text: 'a message to aim at' });
  const meeting = await ana.post(`/api/contacts/${contactId}/meetings`, {});
  const attachment = await upload(ana, 'aim.png', await png(64, 48), 'image/png');
  return {
    t,
    ana,
    ben,
    contactId,
    messageId: sent.body.message.id,
    meetingId: meeting.body.meeting.id,
    attachmentId: attachment.body.attachment.id,
    requestId,
    strangerId: cat.user!.id,
    async close() {
      await t.close();
      await data.remove();
    },
  };
}

/**
 * After the fuzzing: the process is alive and ready, no event was parked, and a normal message still
 * reaches the history and the peer's socket (the projections kept up).
 */
export async function expectStillServing(target: FuzzTarget) {
  const { t, ana, ben, contactId } = target;
  expect((await ana.get('/healthz')).status).toBe(200);
  const benSocket = await connected(ben.connect());
  try {
    const pushed = recordEvents(benSocket);
    const text = `after the fuzzing ${Date.now()}`;
    const sent = await ana.post(`/api/contacts/${contactId}/messages`, { text });
    expect(sent.status).toBe(201);
    const history = await ben.get(`/api/contacts/${contactId}/messages?limit=50&minPosition=${sent.body.position}`);
    expect(history.status).toBe(200);
    expect(history.body.messages.map((m: { text: string }) => m.text)).toContain(text);
    await eventually(() => pushed.some((e) => e.type === 'MessageSent' && e.data.text === text));
  } finally {
    benSocket.disconnect();
  }
  const db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
  try {
    const { rows } = await db.query('SELECT projection, event_type, error_code, error FROM projection_parked_events');
    expect(rows).toEqual([]);
  } finally {
    await db.end();
  }
  expect((await ana.get('/readyz')).body.status).toBe('ready');
}
