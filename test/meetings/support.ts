import { randomInt } from 'node:crypto';
import pg from 'pg';
import type { Socket } from 'socket.io-client';
import { ApiClient, connected, eventually } from '../support/api-client.js';
import { createMigratedTestDatabase } from '../support/database.js';

/**
 * Our own database prefix: the shared global setup drops every `derbel_test_*` database when any test run
 * starts, and other runs start while ours is going.
 */
export const createMeetingsDatabase = () => createMigratedTestDatabase('derbel_meetings');

/**
 * An API client that looks like its own address behind the proxy (TEST-NET-3), so the per-address rate
 * limit in the shared Redis is not spent by other test files signing up users at the same time.
 */
export class MeetingsClient extends ApiClient {
  private readonly forwardedFor = `203.0.113.${randomInt(1, 255)}, 198.51.100.${randomInt(1, 255)}`;

  override request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    return super.request<T>(method, path, body, { 'x-forwarded-for': this.forwardedFor, ...headers });
  }

  /** The same user, talking to another node. */
  on(baseUrl: string): MeetingsClient {
    const other = new MeetingsClient(baseUrl);
    other.token = this.token;
    other.user = this.user;
    return other;
  }
}

export interface Pair {
  ada: MeetingsClient;
  bob: MeetingsClient;
  contactId: string;
}

/** Two signed-up users who are contacts. */
export async function contactPair(baseUrl: string): Promise<Pair> {
  const [ada, bob] = await Promise.all([new MeetingsClient(baseUrl).signUp('ada'), new MeetingsClient(baseUrl).signUp('bob')]);
  const contactId = await ada.addContact(bob);
  return { ada, bob, contactId };
}

export async function socketOf(client: ApiClient): Promise<Socket> {
  return connected(client.connect());
}

export type JoinAck =
  { ok: true; peerId: string; participants: Array<{ userId: string; peerId: string }> } | { ok: false; code: string; message: string };

export const joinMeeting = (socket: Socket, meetingId: string): Promise<JoinAck> =>
  socket.timeout(5_000).emitWithAck('meeting:join', { meetingId });

/** Everything sent to a socket: feed events, ephemeral events, relayed signals. */
export function record(socket: Socket) {
  const events: Array<{ type: string; position?: number; data: any }> = [];
  const signals: Array<{ meetingId: string; from: string; fromUserId: string; data: any }> = [];
  socket.on('event', (e) => events.push(e));
  socket.on('signal', (s) => signals.push(s));
  type Pushed = (typeof events)[number];
  const find = (type: string, where: (data: any) => boolean = () => true): Pushed | undefined =>
    events.find((e) => e.type === type && where(e.data));
  return {
    events,
    signals,
    find,
    /** Waits for a pushed event of `type` matching `where`. */
    waitFor: async (type: string, where: (data: any) => boolean = () => true, timeoutMs = 8_000): Promise<Pushed> =>
      (await eventually(() => find(type, where), { timeoutMs }))!,
  };
}

/** The events of one meeting's stream, straight from the event store's table. */
export async function meetingStream(databaseUrl: string, meetingId: string): Promise<Array<{ type: string; data: any }>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT type, data FROM events WHERE stream_id = $1 ORDER BY revision', [`meeting-${meetingId}`]);
    return rows;
  } finally {
    await client.end();
  }
}

export { sleep } from '../support/eventually.js';
