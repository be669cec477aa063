import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinMeeting, MeetingsClient, record } from '../meetings/support.js';
import { connected, eventually, type ApiClient, type ApiResponse } from '../support/api-client.js';
import { download, png, temporaryDataDir, upload } from '../support/attachments.js';
import { acked, expectAckedAsAbsent, expectAnsweredAsAbsent } from '../support/no-oracle.js';
import { TEST_REDIS_URL } from '../support/test-env.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** What a route or socket event names: the conversation, a message of it, a meeting of it, a file sent in it. */
type Ids = { conversation: string; message: string; meeting: string; attachment: string; user: string; whileIn: string };
type Route = { name: string; act: (c: ApiClient, ids: Ids) => Promise<ApiResponse>; member?: 'succeeds' };

/** A download: its bytes for a member, a JSON error for anyone else. */
async function fetched(c: ApiClient, path: string): Promise<ApiResponse> {
  const { status, bytes, headers } = await download(c, path);
  return {
    status,
    body: headers.get('content-type')?.startsWith('application/json') ? JSON.parse(bytes.toString()) : bytes.length,
    headers,
  };
}

const reactionPath = (base: string, i: Ids) => `/api/${base}/${i.conversation}/messages/${i.message}/reactions/${encodeURIComponent('👍')}`;

const soon = () => new Date(Date.now() + 60_000).toISOString();

/** Every REST route that names a conversation, a message, a meeting or an attachment of it (issue 18). */
const ROUTES: Route[] = [
  { name: 'view the conversation', act: (c, i) => c.get(`/api/conversations/${i.conversation}`), member: 'succeeds' },
  { name: 'read its history', act: (c, i) => c.get(`/api/conversations/${i.conversation}/messages`), member: 'succeeds' },
  {
    name: 'read its history as of a time',
    act: (c, i) => c.get(`/api/conversations/${i.conversation}/messages?asOf=${encodeURIComponent(soon())}`),
    member: 'succeeds',
  },
  {
    name: 'read its history as of when they were in it',
    act: (c, i) => c.get(`/api/conversations/${i.conversation}/messages?asOf=${encodeURIComponent(i.whileIn)}`),
    member: 'succeeds',
  },
  {
    name: 'time travel as a contact to when they were in it',
    act: (c, i) => c.get(`/api/contacts/${i.conversation}/messages?asOf=${encodeURIComponent(i.whileIn)}`),
    member: 'succeeds',
  },
  {
    name: 'rename it',
    act: (c, i) => c.request('PATCH', `/api/conversations/${i.conversation}`, { title: 'Ours now' }),
    member: 'succeeds',
  },
  { name: 'change its settings', act: (c, i) => c.request('PATCH', `/api/conversations/${i.conversation}`, { membersMayAdd: false }) },
  { name: 'send', act: (c, i) => c.post(`/api/conversations/${i.conversation}/messages`, { text: 'still here?' }), member: 'succeeds' },
  { name: 'send a text that is not allowed', act: (c, i) => c.post(`/api/conversations/${i.conversation}/messages`, { text: '   ' }) },
  {
    name: 'send a file in it',
    act: (c, i) => c.post(`/api/conversations/${i.conversation}/messages`, { text: '', attachmentIds: [i.attachment] }),
  },
  {
    name: 'edit a message',
    act: (c, i) => c.request('PATCH', `/api/conversations/${i.conversation}/messages/${i.message}`, { text: 'edited' }),
  },
  { name: 'delete a message', act: (c, i) => c.request('DELETE', `/api/conversations/${i.conversation}/messages/${i.message}`) },
  {
    name: 'reply to a message',
    act: (c, i) => c.post(`/api/conversations/${i.conversation}/messages`, { text: 'indeed', replyTo: i.message }),
    member: 'succeeds',
  },
  { name: 'react to a message', act: (c, i) => c.request('PUT', reactionPath('conversations', i)), member: 'succeeds' },
  { name: 'take a reaction back', act: (c, i) => c.request('DELETE', reactionPath('conversations', i)), member: 'succeeds' },
  { name: 'react as a contact', act: (c, i) => c.request('PUT', reactionPath('contacts', i)) },
  { name: 'mark read', act: (c, i) => c.post(`/api/conversations/${i.conversation}/read`, { messageId: i.message }), member: 'succeeds' },
  { name: 'add a member', act: (c, i) => c.post(`/api/conversations/${i.conversation}/members`, { userIds: [i.user] }) },
  { name: 'remove a member', act: (c, i) => c.request('DELETE', `/api/conversations/${i.conversation}/members/${i.user}`) },
  { name: 'leave', act: (c, i) => c.post(`/api/conversations/${i.conversation}/leave`) },
  { name: 'read its history as a contact', act: (c, i) => c.get(`/api/contacts/${i.conversation}/messages`), member: 'succeeds' },
  {
    name: 'time travel as a contact',
    act: (c, i) => c.get(`/api/contacts/${i.conversation}/messages?asOf=${encodeURIComponent(soon())}`),
    member: 'succeeds',
  },
  { name: 'read the audit trail', act: (c, i) => c.get(`/api/contacts/${i.conversation}/audit`), member: 'succeeds' },
  { name: 'send as a contact', act: (c, i) => c.post(`/api/contacts/${i.conversation}/messages`, { text: 'hello?' }) },
  {
    name: 'edit as a contact',
    act: (c, i) => c.request('PATCH', `/api/contacts/${i.conversation}/messages/${i.message}`, { text: 'edited' }),
  },
  { name: 'delete as a contact', act: (c, i) => c.request('DELETE', `/api/contacts/${i.conversation}/messages/${i.message}`) },
  { name: 'mark read as a contact', act: (c, i) => c.post(`/api/contacts/${i.conversation}/read`, { messageId: i.message }) },
  { name: 'accept it as a contact request', act: (c, i) => c.post(`/api/contacts/${i.conversation}/accept`) },
  { name: 'decline it as a contact request', act: (c, i) => c.post(`/api/contacts/${i.conversation}/decline`) },
  { name: 'remove it as a contact', act: (c, i) => c.request('DELETE', `/api/contacts/${i.conversation}`) },
  { name: 'start a call', act: (c, i) => c.post(`/api/contacts/${i.conversation}/meetings`, {}) },
  { name: 'view the call', act: (c, i) => c.get(`/api/meetings/${i.meeting}`), member: 'succeeds' },
  { name: 'decline the call', act: (c, i) => c.post(`/api/meetings/${i.meeting}/decline`) },
  { name: 'end the call', act: (c, i) => c.post(`/api/meetings/${i.meeting}/end`) },
  { name: 'download a file sent in it', act: (c, i) => fetched(c, `/api/attachments/${i.attachment}`), member: 'succeeds' },
  { name: "download a file's thumbnail", act: (c, i) => fetched(c, `/api/attachments/${i.attachment}/thumbnail`), member: 'succeeds' },
];

/** Every socket event that names a conversation or a meeting of it. */
const SOCKET_EVENTS: Array<[string, (i: Ids) => object]> = [
  ['typing', (i) => ({ contactId: i.conversation })],
  ['meeting:join', (i) => ({ meetingId: i.meeting })],
  ['meeting:leave', (i) => ({ meetingId: i.meeting })],
  ['signal', (i) => ({ meetingId: i.meeting, to: randomUUID(), data: { sdp: 'x' } })],
  ['meeting:media', (i) => ({ meetingId: i.meeting, audio: true, video: false })],
];

/**
 * Issue 18: the authorization matrix of a group. A member who left, one who was removed, and a stranger who
 * never was a member are answered on every route and socket event that names the group, a message, a call
 * or a file of it exactly as for a conversation that does not exist; the member is served; and nothing of
 * the group reaches the three afterwards (feed, catch-up, typing, call events, signals).
 */
describe('a group answers former members and strangers as if it did not exist', () => {
  let t: TestServer;
  let data: Awaited<ReturnType<typeof temporaryDataDir>>;
  let ana: MeetingsClient, mem: MeetingsClient, lef: MeetingsClient, rem: MeetingsClient, str: MeetingsClient;
  let group: string;
  let meeting: string;
  let anaFile: string;
  let lefMessage: string;
  /** A time when all four were members. */
  let whileIn: string;
  /** The feed position each outsider's last group event may have. */
  const gone = new Map<ApiClient, number>();
  const sockets: Socket[] = [];
  let heard: Map<ApiClient, ReturnType<typeof record>>;
  let anaSocket: Socket;
  let memSocket: Socket;

  const outsiders = () =>
    [
      ['a member who left', lef],
      ['a removed member', rem],
      ['a stranger', str],
    ] as const;
  const ids = (who: ApiClient): Ids => ({
    conversation: group,
    message: lefMessage,
    meeting,
    attachment: anaFile,
    user: who === ana ? mem.user!.id : ana.user!.id,
    whileIn,
  });
  const nothing = (who: ApiClient): Ids => ({
    conversation: randomUUID(),
    message: randomUUID(),
    meeting: randomUUID(),
    attachment: randomUUID(),
    user: ids(who).user,
    whileIn,
  });
  const ok = (response: ApiResponse) => {
    expect(response.status, JSON.stringify(response.body)).toBeLessThan(300);
    return response;
  };

  beforeAll(async () => {
    data = await temporaryDataDir();
    t = await startTestServer({ env: { DATA_DIR: data.dir, REDIS_URL: TEST_REDIS_URL, MEETING_RING_TIMEOUT_MS: '60000' } });
    [ana, mem, lef, rem, str] = await Promise.all(['ana', 'mem', 'lef', 'rem', 'str'].map((n) => new MeetingsClient(t.url).signUp(n)));
    await Promise.all([mem, lef, rem, str].map((other) => ana.addContact(other)));
    for (const who of [ana, mem, lef, rem, str]) sockets.push(await connected(who.connect()));
    [anaSocket, memSocket] = sockets;
    heard = new Map([ana, mem, lef, rem, str].map((who, i) => [who, record(sockets[i])]));

    const created = ok(await ana.post('/api/conversations', { title: 'Crew', memberIds: [mem, lef, rem].map((m) => m.user!.id) }));
    group = created.body.conversation.id;
    const file = ok(await upload(ana, 'pelican.png', await png(64, 48), 'image/png')).body.attachment.id as string;
    ok(await ana.post(`/api/conversations/${group}/messages`, { text: 'a pelican', attachmentIds: [file] }));
    anaFile = file;
    lefMessage = ok(await lef.post(`/api/conversations/${group}/messages`, { text: 'my own pelican' })).body.message.id;
    whileIn = new Date().toISOString();
    meeting = ok(await ana.post(`/api/contacts/${group}/meetings`, {})).body.meeting.id;
    expect(await joinMeeting(anaSocket, meeting)).toMatchObject({ ok: true });
    // The one who leaves is in the call on the socket they go on using; the removed one is being rung.
    expect(await joinMeeting(sockets[2], meeting)).toMatchObject({ ok: true });

    gone.set(lef, ok(await lef.post(`/api/conversations/${group}/leave`)).body.position);
    gone.set(rem, ok(await ana.request('DELETE', `/api/conversations/${group}/members/${rem.user!.id}`)).body.position);
    gone.set(str, 0);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await t?.close();
    await data?.remove();
  });

  it('every REST route: former members and a stranger get what a conversation that does not exist gets', async () => {
    for (const [who, outsider] of outsiders()) {
      for (const { name, act } of ROUTES) {
        expectAnsweredAsAbsent(`${who}: ${name}`, await act(outsider, ids(outsider)), await act(outsider, nothing(outsider)));
      }
    }
    const search = (who: ApiClient, conversationId: string) =>
      who.get(`/api/search?q=pelican&conversationId=${conversationId}&minPosition=${gone.get(rem)}`);
    for (const [who, outsider] of outsiders()) {
      const [toGroup, toNothing] = [await search(outsider, group), await search(outsider, randomUUID())];
      expect({ status: toGroup.status, body: toGroup.body }, `${who}: search`).toEqual({ status: toNothing.status, body: toNothing.body });
    }
    expect((await search(mem, group)).body.results).toHaveLength(2);
  });

  it('every REST route a member may use serves the member', async () => {
    for (const { name, act, member } of ROUTES) {
      if (member !== 'succeeds') continue;
      expect((await act(mem, ids(mem))).status, name).toBeLessThan(300);
    }
  });

  it('every socket event: former members and a stranger are refused as for a conversation that does not exist', async () => {
    for (const [who, outsider] of outsiders()) {
      const socket = sockets[[ana, mem, lef, rem, str].indexOf(outsider)];
      for (const [event, payload] of SOCKET_EVENTS) {
        const [toGroup, toNothing] = [
          await acked(socket, event, payload(ids(outsider))),
          await acked(socket, event, payload(nothing(outsider))),
        ];
        expectAckedAsAbsent(`${who}: ${event}`, toGroup, toNothing);
      }
    }
  });

  it('nothing of the group reaches them afterwards: no feed event, catch-up, typing, call event or signal', async () => {
    const about = (e: { data: any }) => e.data?.contactId === group || e.data?.meetingId === meeting;
    // The member: typing, a message, a rename, joining the call, media and a signal to ana.
    expect(await acked(memSocket, 'typing', { contactId: group })).toEqual({ ok: true });
    const joined = await joinMeeting(memSocket, meeting);
    if (!joined.ok) throw new Error(`join refused: ${joined.code}`);
    const anaPeer = joined.participants.find((p) => p.userId === ana.user!.id)!.peerId;
    expect(await acked(memSocket, 'meeting:media', { meetingId: meeting, audio: true, video: true })).toEqual({ ok: true });
    expect(await acked(memSocket, 'signal', { meetingId: meeting, to: anaPeer, data: { sdp: 'offer' } })).toEqual({ ok: true });
    ok(await ana.request('PATCH', `/api/conversations/${group}`, { title: 'Crew, later' }));
    const last = ok(await ana.post(`/api/conversations/${group}/messages`, { text: 'the last word' })).body.position as number;
    // A member hears it all; then each outsider's feed is written up to it, and a round trip on their socket
    // has passed everything pushed to it before.
    const [memHears, anaHears] = [heard.get(mem)!, heard.get(ana)!];
    await memHears.waitFor('MessageSent', (d) => d.text === 'the last word');
    await memHears.waitFor('GroupRenamed', (d) => d.title === 'Crew, later');
    await anaHears.waitFor('Typing', (d) => d.contactId === group && d.userId === mem.user!.id);
    await anaHears.waitFor('ParticipantMediaChanged', (d) => d.meetingId === meeting && d.userId === mem.user!.id);
    await eventually(() => anaHears.signals.some((s) => s.meetingId === meeting));
    for (const [who, outsider] of outsiders()) {
      const catchUp = ok(await outsider.get(`/api/events?after=${gone.get(outsider)}&minPosition=${last}`)).body.events;
      expect(catchUp.filter(about), `${who}: catch-up`).toEqual([]);
      await acked(sockets[[ana, mem, lef, rem, str].indexOf(outsider)], 'typing', { contactId: randomUUID() });
      const pushed = heard.get(outsider)!;
      const after = pushed.events.filter((e) => about(e) && (e.position === undefined || e.position > gone.get(outsider)!));
      expect(after, `${who}: pushes`).toEqual([]);
      expect(pushed.signals, `${who}: signals`).toEqual([]);
      const meetings = ok(await outsider.get(`/api/meetings?minPosition=${last}`)).body.meetings;
      expect(
        meetings.filter((m: { id: string }) => m.id === meeting),
        `${who}: calls listed`,
      ).toEqual([]);
      const list = ok(await outsider.get(`/api/conversations?minPosition=${last}`)).body.conversations;
      expect(
        list.filter((c: { id: string }) => c.id === group),
        `${who}: conversations listed`,
      ).toEqual([]);
    }
  });
});
