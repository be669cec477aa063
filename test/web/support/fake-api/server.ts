import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server as SocketServer } from 'socket.io';
import { FakeStore, Refusal, type FakeOptions } from './store.js';

export type FakeApi = {
  url: string;
  store: FakeStore;
  io: SocketServer;
  close(): Promise<void>;
  /** Every API request, for assertions ("the client sent the CSRF header"). */
  requests: Array<{ method: string; path: string; headers: IncomingMessage['headers'] }>;
  /** Cuts the network (HTTP API and sockets) or brings it back. */
  setReachable(reachable: boolean): void;
};

const COOKIE = 'derbel_session';

function cookieToken(req: IncomingMessage) {
  const match = (req.headers.cookie ?? '').match(new RegExp(`(?:^|;\\s*)${COOKIE}=([^;]+)`));
  return match ? decodeURIComponent(match[1]) : null;
}

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/**
 * A fake of the Derbel API (HTTP + Socket.io) for the web component tests only: same routes,
 * cookie + CSRF + bearer auth, feed positions, meetings and signaling relay, all in memory.
 */
export async function startFakeApi(
  options: Partial<FakeOptions> & { statics?: (req: IncomingMessage, res: ServerResponse) => void; corsOrigins?: string[] } = {},
): Promise<FakeApi> {
  const store = new FakeStore({ ringMs: 30_000, graceMs: 3_000, feedPosition: true, ...options });
  const requests: FakeApi['requests'] = [];
  let reachable = true;

  const http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (!url.pathname.startsWith('/api/')) {
      if (options.statics) return options.statics(req, res);
      res.writeHead(404).end();
      return;
    }
    const origin = req.headers.origin;
    if (origin && options.corsOrigins?.includes(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-allow-credentials', 'true');
      res.setHeader('vary', 'origin');
      if (req.method === 'OPTIONS') {
        res.setHeader('access-control-allow-methods', 'GET,POST,PATCH,DELETE');
        res.setHeader('access-control-allow-headers', 'content-type,x-csrf-token,authorization');
        res.writeHead(204).end();
        return;
      }
    }
    if (!reachable) {
      req.socket.destroy();
      return;
    }
    requests.push({ method: req.method ?? 'GET', path: url.pathname + url.search, headers: req.headers });
    handle(req, res, url).catch((error: unknown) => {
      const refusal = error instanceof Refusal ? error : new Refusal(500, 'SERVER_ERROR', String(error));
      res.writeHead(refusal.statusCode, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ statusCode: refusal.statusCode, code: refusal.code, message: refusal.message, ...refusal.extra }));
    });
  });

  const send = (res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(payload));
  };

  function authenticate(req: IncomingMessage, method: string) {
    const bearer = req.headers.authorization?.match(/^Bearer (.+)$/)?.[1];
    const token = bearer ?? cookieToken(req);
    const userId = token ? store.tokens.get(token) : undefined;
    if (!token || !userId) throw new Refusal(401, 'UNAUTHORIZED', 'Sign in first');
    if (!bearer && method !== 'GET' && req.headers['x-csrf-token'] !== store.csrf.get(token)) {
      throw new Refusal(403, 'CSRF_TOKEN_INVALID', 'Missing or wrong x-csrf-token');
    }
    return { userId, token };
  }

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL) {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const query = Object.fromEntries(url.searchParams) as Record<string, string>;
    const input = method === 'GET' ? {} : await body(req);
    if (method === 'POST' && path === '/api/accounts') {
      return send(res, 201, {
        user: store.register(String(input.username ?? ''), String(input.displayName ?? ''), String(input.password ?? '')),
      });
    }
    if (method === 'POST' && path === '/api/sessions') {
      const session = store.signIn(String(input.username ?? ''), String(input.password ?? ''));
      return send(res, 200, session, { 'set-cookie': `${COOKIE}=${session.token}; HttpOnly; SameSite=Lax; Path=/` });
    }
    const { userId, token } = authenticate(req, method);
    const feedPosition = options.feedPosition === false ? {} : { feedPosition: store.feed.length };
    let match: RegExpMatchArray | null;
    if (method === 'DELETE' && path === '/api/sessions') {
      store.tokens.delete(token);
      return send(res, 204, null, { 'set-cookie': `${COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0` });
    }
    if (method === 'GET' && path === '/api/me')
      return send(res, 200, { user: store.public(userId), csrfToken: store.csrf.get(token), ...feedPosition });
    if (method === 'GET' && path === '/api/users') return send(res, 200, { users: store.search(query.query ?? '') });
    if (method === 'POST' && path === '/api/contacts') {
      return send(
        res,
        201,
        store.requestContact(userId, String(input.username ?? ''), typeof input.message === 'string' ? input.message : null),
      );
    }
    if (method === 'GET' && path === '/api/contacts')
      return send(res, 200, { contacts: store.contactsOf(userId), requests: store.requestsOf(userId) });
    if (method === 'POST' && (match = path.match(/^\/api\/contacts\/([^/]+)\/(accept|decline)$/))) {
      return send(res, 200, match[2] === 'accept' ? store.accept(userId, match[1]) : store.declineRequest(userId, match[1]));
    }
    if (method === 'DELETE' && (match = path.match(/^\/api\/contacts\/([^/]+)$/)))
      return send(res, 200, store.removeContact(userId, match[1]));
    if (method === 'POST' && path === '/api/blocks') return send(res, 201, store.block(userId, String(input.userId ?? '')));
    if (method === 'GET' && path === '/api/blocks') return send(res, 200, { blocks: store.blocksOf(userId) });
    if (method === 'DELETE' && (match = path.match(/^\/api\/blocks\/([^/]+)$/))) return send(res, 200, store.unblock(userId, match[1]));
    if ((match = path.match(/^\/api\/contacts\/([^/]+)\/messages$/))) {
      if (method === 'GET') return send(res, 200, store.page(userId, match[1], query));
      const sent = store.send(userId, match[1], String(input.text ?? ''), typeof input.id === 'string' ? input.id : undefined);
      return send(res, sent.repeated ? 200 : 201, { message: sent.message, position: sent.position });
    }
    if ((match = path.match(/^\/api\/contacts\/([^/]+)\/messages\/([^/]+)$/))) {
      if (method === 'PATCH') return send(res, 200, store.edit(userId, match[1], match[2], String(input.text ?? '')));
      if (method === 'DELETE') return send(res, 200, store.remove(userId, match[1], match[2]));
    }
    if (method === 'POST' && (match = path.match(/^\/api\/contacts\/([^/]+)\/read$/)))
      return send(res, 200, store.read(userId, match[1], String(input.messageId)));
    if (method === 'GET' && path === '/api/events')
      return send(res, 200, store.events(userId, Number(query.after ?? 0), Number(query.limit ?? 100)));
    if (method === 'POST' && (match = path.match(/^\/api\/contacts\/([^/]+)\/meetings$/)))
      return send(res, 201, store.startMeeting(userId, match[1]));
    if (method === 'GET' && path === '/api/meetings') return send(res, 200, { meetings: store.meetingsOf(userId) });
    if ((match = path.match(/^\/api\/meetings\/([^/]+)(?:\/(decline|end))?$/))) {
      const meetingId = match[1];
      if (method === 'GET' && !match[2]) return send(res, 200, { meeting: store.meetingView(store.meetingFor(userId, meetingId).id) });
      if (method === 'POST' && match[2] === 'decline') return send(res, 200, store.decline(userId, meetingId));
      if (method === 'POST' && match[2] === 'end') {
        store.meetingFor(userId, meetingId);
        return send(res, 200, { position: store.endMeeting(meetingId, 'ended') });
      }
    }
    if (method === 'GET' && path === '/api/calls') return send(res, 200, { calls: store.callsOf(userId), hasMore: false });
    if (method === 'GET' && path === '/api/ice-servers') return send(res, 200, { iceServers: [], ttl: 3600 });
    throw new Refusal(404, 'NOT_FOUND', `${method} ${path}`);
  }

  const io = new SocketServer(http, {
    cors: options.corsOrigins ? { origin: options.corsOrigins, credentials: true } : undefined,
    allowRequest: (_req, callback) => callback(reachable ? null : 'unreachable', reachable),
    // Closing a browser context does not always close its WebSocket: Chromium can leave the connection open,
    // and only the heartbeat then notices the page is gone. A short one keeps presence tests quick.
    pingInterval: 1_000,
    pingTimeout: 1_000,
  });
  io.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: string }).token ?? cookieToken(socket.request);
    const userId = token ? store.tokens.get(token) : undefined;
    if (!userId) return next(new Error('UNAUTHORIZED'));
    socket.data.userId = userId;
    next();
  });
  const peersOf = (userId: string) => store.contactsOf(userId).map((contact) => contact.peer.id);
  io.on('connection', (socket) => {
    const userId = socket.data.userId as string;
    void socket.join(`user:${userId}`);
    const count = (store.online.get(userId) ?? 0) + 1;
    store.online.set(userId, count);
    if (count === 1) store.push({ type: 'PresenceChanged', data: { userId, online: true }, userIds: peersOf(userId) });

    socket.on('typing', ({ contactId }: { contactId: string }) => {
      try {
        const contact = store.member(userId, contactId);
        store.push({ type: 'Typing', data: { contactId, userId }, userIds: contact.members.filter((id) => id !== userId) });
      } catch {
        /* not a member: ignored */
      }
    });
    socket.on('meeting:join', ({ meetingId }: { meetingId: string }, ack: (answer: unknown) => void) => {
      try {
        ack({ ok: true, ...store.join(userId, meetingId, socket.id) });
      } catch (error) {
        ack({ ok: false, code: error instanceof Refusal ? error.code : 'ERROR' });
      }
    });
    socket.on('meeting:leave', ({ meetingId }: { meetingId: string }) => store.leave(userId, meetingId, 'left'));
    socket.on(
      'meeting:media',
      ({ meetingId, audio, video, sharing = false }: { meetingId: string; audio: boolean; video: boolean; sharing?: boolean }) => {
        const meeting = store.meetings.get(meetingId);
        if (!meeting) return;
        const seat = [...meeting.seats.values()].find((s) => s.userId === userId && s.socketIds.has(socket.id));
        const members = store.contacts.get(meeting.contactId)!.members.filter((id) => id !== userId);
        store.push({
          type: 'ParticipantMediaChanged',
          data: { meetingId, userId, peerId: seat?.peerId, audio, video, sharing },
          userIds: members,
        });
      },
    );
    socket.on('signal', ({ meetingId, to, data }: { meetingId: string; to: string; data: unknown }) => {
      const meeting = store.meetings.get(meetingId);
      const from = meeting && [...meeting.seats.values()].find((seat) => seat.userId === userId && seat.socketIds.has(socket.id));
      const target = meeting?.seats.get(to);
      if (!from || !target) return;
      for (const socketId of target.socketIds) io.to(socketId).emit('signal', { meetingId, from: from.peerId, fromUserId: userId, data });
    });
    socket.on('disconnect', () => {
      store.socketGone(socket.id);
      const left = (store.online.get(userId) ?? 1) - 1;
      store.online.set(userId, left);
      if (left === 0) store.push({ type: 'PresenceChanged', data: { userId, online: false }, userIds: peersOf(userId) });
    });
  });
  store.push = (entry) => {
    const { userIds, ...event } = entry;
    for (const id of userIds) io.to(`user:${id}`).emit('event', event);
  };

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    store,
    io,
    requests,
    setReachable: (value) => {
      reachable = value;
      // Like a network cut: sockets drop without a goodbye and cannot come back until reachable.
      if (!value) io.disconnectSockets(true);
    },
    close: async () => {
      for (const meeting of store.meetings.values()) store.endMeeting(meeting.id, 'ended');
      io.close();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}
