import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A tiny HTTP client for tests: JSON in and out, bearer token when signed in. */
export class ApiClient {
  token: string | null = null;
  user: { id: string; username: string; displayName: string } | null = null;
  /** Sent with every request (e.g. `x-forwarded-for` to stand for many clients behind a proxy). */
  defaultHeaders: Record<string, string> = {};

  constructor(readonly baseUrl: string) {}

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...this.defaultHeaders,
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
  }

  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T = any>(path: string, body?: unknown) {
    return this.request<T>('POST', path, body ?? {});
  }

  /** Signs up a fresh user (random suffix) and signs in. */
  async signUp(name = 'user', password = 'correct horse battery'): Promise<this> {
    const username = `${name}_${randomBytes(4).toString('hex')}`;
    const created = await this.post('/api/accounts', { username, displayName: name, password });
    if (created.status !== 201) throw new Error(`sign-up failed: ${created.status} ${JSON.stringify(created.body)}`);
    const session = await this.post('/api/sessions', { username, password });
    if (session.status !== 200) throw new Error(`sign-in failed: ${session.status} ${JSON.stringify(session.body)}`);
    this.token = session.body.token;
    this.user = session.body.user;
    return this;
  }

  /** An accepted contact with `peer`: this client's request, accepted by `peer` (contacts need consent). */
  async addContact(peer: ApiClient): Promise<string> {
    const contactId = await this.requestContact(peer);
    const accepted = await peer.post(`/api/contacts/${contactId}/accept`);
    if (accepted.status !== 200) throw new Error(`accept contact failed: ${accepted.status} ${JSON.stringify(accepted.body)}`);
    return contactId;
  }

  /** Only the request (pending until `peer` accepts, unless `peer` had asked already). */
  async requestContact(peer: ApiClient, message?: string): Promise<string> {
    const res = await this.post('/api/contacts', { username: peer.user!.username, ...(message === undefined ? {} : { message }) });
    if (res.status !== 201) throw new Error(`contact request failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.contact.id;
  }

  /** A socket to this client's server, authenticated as `other` (e.g. a user who signed in elsewhere). */
  connectAs(other: ApiClient): Socket {
    return io(this.baseUrl, { auth: { token: other.token }, transports: ['websocket'], forceNew: true });
  }

  connect(options: { url?: string } = {}): Socket {
    return io(options.url ?? this.baseUrl, { auth: { token: this.token }, transports: ['websocket'], reconnection: true, forceNew: true });
  }
}

/** Resolves once the socket is connected (or rejects with the connect_error message). */
export function connected(socket: Socket): Promise<Socket> {
  return new Promise((resolve, reject) => {
    if (socket.connected) return resolve(socket);
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => reject(err));
  });
}

/** Collects the `event` pushes a socket receives. */
export function recordEvents(socket: Socket) {
  const events: Array<{ type: string; position?: number; data: any }> = [];
  socket.on('event', (e) => events.push(e));
  return events;
}

/** Kept here too for the many specs that import it with the client. */
export { eventually } from './eventually.js';

/** The presence changes among recorded events, in order: single (`PresenceChanged`) and batched (`PresenceChanges`). */
export function presenceChanges(events: Array<{ type: string; data: any }>): Array<{ userId: string; online: boolean }> {
  return events.flatMap((e) => (e.type === 'PresenceChanged' ? [e.data] : e.type === 'PresenceChanges' ? e.data.changes : []));
}
