import { ApiError, networkError } from './api-error.js';
import type { KeyValueStore } from '../key-value-store.js';
import { SessionRenewer, type RenewedSession } from './session-renewer.js';
import type {
  Attachment,
  BlockedUser,
  CallRecord,
  Contact,
  ContactRequest,
  FeedEvent,
  IceServersResponse,
  Meeting,
  Message,
  SearchPage,
  User,
} from '../types.js';
import type { ConversationListItem, MemberRole } from '../group-wire.js';

export type RestClientOptions = {
  /** Origin of the api server, e.g. `https://derbel.example`; empty for the page's own origin. */
  server: string;
  /** Where the CSRF token lives for this tab (sessionStorage in the browser). */
  session: KeyValueStore;
  fetch?: typeof fetch;
  /** A bearer token, when the host page authenticates that way instead of the cookie. */
  token?: () => string | null;
  /** The session was renewed: a new access token (the cookie is renewed by the server too). */
  onRenewed?: (renewed: RenewedSession) => void;
  /** Whether a conversation id is a group's: its messages go through `/api/conversations/:id/…`. */
  isGroup?: (conversationId: string) => boolean;
};

/** A group as `POST /api/conversations` answers. */
export type CreatedGroup = { id: string; kind: 'group'; title: string; members: { id: string; username: string; role: MemberRole }[] };

/** Answers about the session itself: a 401 there is the answer, not a reason to renew. */
const SESSION_PATHS = new Set(['/api/sessions', '/api/sessions/refresh', '/api/accounts']);

type Query = Record<string, string | number | undefined | null>;

/** One of the user's active sessions (`GET /api/sessions`). */
export type ActiveSession = {
  id: string;
  current: boolean;
  createdAt: string;
  lastActiveAt: string;
  address: string | null;
  userAgent: string | null;
};

/** Typed calls to the Derbel HTTP API. Holds no state but the CSRF token and the session's renewal. */
export class RestClient {
  readonly server: string;
  private readonly fetchImpl: typeof fetch;
  private readonly csrfKey: string;
  private readonly renewer: SessionRenewer;

  constructor(private readonly options: RestClientOptions) {
    this.server = options.server.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? ((...args) => globalThis.fetch(...args));
    this.csrfKey = `derbel.csrf:${this.server || 'self'}`;
    this.renewer = new SessionRenewer(
      () => this.send<RenewedSession>('POST', '/api/sessions/refresh', {}),
      (renewed) => {
        this.rememberCsrf(renewed);
        this.options.onRenewed?.(renewed);
      },
    );
  }

  get csrfToken(): string | null {
    return this.options.session.getItem(this.csrfKey);
  }

  private rememberCsrf(body: unknown) {
    const token = (body as { csrfToken?: unknown } | null)?.csrfToken;
    if (typeof token === 'string') this.options.session.setItem(this.csrfKey, token);
  }

  forgetCsrf() {
    this.options.session.removeItem(this.csrfKey);
  }

  /** One call; a 401 outside the session routes renews the session once and tries again. */
  async request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    try {
      return await this.send<T>(method, path, body, query);
    } catch (error) {
      if (!(error instanceof ApiError && error.statusCode === 401) || SESSION_PATHS.has(path) || !(await this.renewer.renew())) throw error;
      return this.send<T>(method, path, body, query);
    }
  }

  private async send<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    const url = new URL(this.server + path, this.server ? undefined : globalThis.location?.href);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const token = this.options.token?.();
    if (token) headers.authorization = `Bearer ${token}`;
    if (method !== 'GET' && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
    let response: Response;
    try {
      response = await this.fetchImpl(url.toString(), {
        method,
        headers,
        credentials: 'include',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (cause) {
      throw networkError(cause);
    }
    const text = await response.text().catch(() => '');
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (!response.ok) {
      const error = (parsed ?? {}) as { code?: string; message?: string };
      throw new ApiError(
        response.status,
        error.code ?? (response.status >= 500 ? 'SERVER_ERROR' : `HTTP_${response.status}`),
        error.message ?? response.statusText ?? 'Request failed',
        (parsed ?? {}) as Record<string, unknown>,
      );
    }
    return parsed as T;
  }

  // accounts and sessions
  signUp(input: { username: string; displayName: string; password: string }) {
    return this.request<{ user: User }>('POST', '/api/accounts', input);
  }
  async signIn(input: { username: string; password: string }) {
    const body = await this.request<{ token: string; user: User; csrfToken?: string; expiresAt?: string }>('POST', '/api/sessions', input);
    this.rememberCsrf(body);
    this.renewer.schedule(body.expiresAt);
    return body;
  }
  async signOut() {
    try {
      await this.request<unknown>('DELETE', '/api/sessions');
    } finally {
      this.renewer.stop();
      this.forgetCsrf();
    }
  }
  async me() {
    const body = await this.request<{ user: User; csrfToken?: string; feedPosition?: number; expiresAt?: string }>('GET', '/api/me');
    this.rememberCsrf(body);
    this.renewer.schedule(body.expiresAt);
    return body;
  }

  // the user's sessions
  listSessions() {
    return this.request<{ sessions: ActiveSession[] }>('GET', '/api/sessions');
  }
  endSession(sessionId: string) {
    return this.request<null>('DELETE', `/api/sessions/${encodeURIComponent(sessionId)}`);
  }
  async signOutEverywhere() {
    try {
      await this.request<null>('DELETE', '/api/sessions/everywhere');
    } finally {
      this.renewer.stop();
      this.forgetCsrf();
    }
  }

  // files
  /**
   * Uploads one file as the raw body of `POST /api/attachments?name=` (XMLHttpRequest: fetch cannot report
   * upload progress). `onProgress` gets the share sent, 0–1.
   */
  uploadAttachment(
    file: Blob & { name?: string },
    onProgress: (sent: number) => void = () => {},
    name = file.name ?? 'file',
  ): Promise<Attachment> {
    const url = new URL(`${this.server}/api/attachments`, this.server ? undefined : globalThis.location?.href);
    url.searchParams.set('name', name);
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', url.toString());
      xhr.withCredentials = true;
      xhr.setRequestHeader('content-type', file.type || 'application/octet-stream');
      xhr.setRequestHeader('accept', 'application/json');
      const token = this.options.token?.();
      if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
      if (this.csrfToken) xhr.setRequestHeader('x-csrf-token', this.csrfToken);
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable) onProgress(event.loaded / event.total);
      };
      xhr.onerror = () => reject(networkError(new Error('upload failed')));
      xhr.onload = () => {
        let body: { attachment?: Attachment; code?: string; message?: string };
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          body = {};
        }
        if (xhr.status === 201 && body.attachment) return resolve(body.attachment);
        reject(
          new ApiError(xhr.status, body.code ?? `HTTP_${xhr.status}`, body.message ?? 'Upload failed', body as Record<string, unknown>),
        );
      };
      xhr.send(file);
    });
  }
  /** Where the browser fetches a file (the session cookie authorizes it). */
  attachmentUrl(attachmentId: string, variant: 'original' | 'thumbnail' = 'original') {
    return `${this.server}/api/attachments/${enc(attachmentId)}${variant === 'thumbnail' ? '/thumbnail' : ''}`;
  }

  // people and contacts
  searchUsers(query: string) {
    return this.request<{ users: User[] }>('GET', '/api/users', undefined, { query });
  }
  /** Sends a contact request (with an optional first message); `accepted` when the other side had asked first. */
  requestContact(username: string, message?: string) {
    const body = message ? { username, message } : { username };
    return this.request<{ contact: { id: string; peer: User; status: 'pending' | 'accepted' }; position: number }>(
      'POST',
      '/api/contacts',
      body,
    );
  }
  /** `minPosition`: wait until the list reflects that event (read-your-writes). */
  listContacts(minPosition?: number) {
    return this.request<{ contacts: Contact[]; requests?: ContactRequest[]; feedPosition?: number }>('GET', '/api/contacts', undefined, {
      minPosition,
    });
  }
  acceptRequest(contactId: string) {
    return this.request<{ contact: { id: string; peer: User; status: 'accepted' }; position: number }>(
      'POST',
      `/api/contacts/${enc(contactId)}/accept`,
      {},
    );
  }
  declineRequest(contactId: string) {
    return this.request<{ position: number }>('POST', `/api/contacts/${enc(contactId)}/decline`, {});
  }
  /** Removes an accepted contact, or cancels the user's own pending request. */
  removeContact(contactId: string) {
    return this.request<{ position: number }>('DELETE', `/api/contacts/${enc(contactId)}`);
  }

  // blocks
  block(userId: string) {
    return this.request<{ block: BlockedUser; position: number }>('POST', '/api/blocks', { userId });
  }
  unblock(userId: string) {
    return this.request<{ position: number }>('DELETE', `/api/blocks/${enc(userId)}`);
  }
  listBlocks(minPosition?: number) {
    return this.request<{ blocks: BlockedUser[] }>('GET', '/api/blocks', undefined, { minPosition });
  }

  // messages
  sendMessage(contactId: string, input: { id?: string; text: string; attachmentIds?: string[]; replyTo?: string }) {
    return this.request<{ message: Message; position: number }>('POST', `${this.conversation(contactId)}/messages`, input);
  }
  /** A history page: its messages do not repeat the conversation's id (it is in the URL); the client puts it back. */
  async listMessages(contactId: string, page: { before?: string; after?: string; limit?: number; minPosition?: number } = {}) {
    const { messages, hasMore } = await this.request<{ messages: Omit<Message, 'contactId'>[]; hasMore: boolean }>(
      'GET',
      `${this.conversation(contactId)}/messages`,
      undefined,
      page,
    );
    return { messages: messages.map((message): Message => ({ ...message, contactId })), hasMore };
  }
  editMessage(contactId: string, messageId: string, text: string) {
    return this.request<{ message?: Message; position?: number }>('PATCH', `${this.conversation(contactId)}/messages/${enc(messageId)}`, {
      text,
    });
  }
  deleteMessage(contactId: string, messageId: string) {
    return this.request<unknown>('DELETE', `${this.conversation(contactId)}/messages/${enc(messageId)}`);
  }
  /** Idempotent: `position` is null when the user already had (or had not) that reaction. */
  setReaction(contactId: string, messageId: string, emoji: string, on: boolean) {
    return this.request<{ position: number | null }>(
      on ? 'PUT' : 'DELETE',
      `${this.conversation(contactId)}/messages/${enc(messageId)}/reactions/${enc(emoji)}`,
    );
  }
  markRead(contactId: string, messageId: string) {
    return this.request<unknown>('POST', `${this.conversation(contactId)}/read`, { messageId });
  }

  // conversations (direct and group, docs/groups.md)
  /** Messages of a group go through `/api/conversations/:id`, of a direct conversation through `/api/contacts/:id`. */
  private conversation(conversationId: string) {
    return `/api/${this.options.isGroup?.(conversationId) ? 'conversations' : 'contacts'}/${enc(conversationId)}`;
  }
  listConversations() {
    return this.request<{ conversations: ConversationListItem[] }>('GET', '/api/conversations');
  }
  getConversation(conversationId: string) {
    return this.request<{ conversation: ConversationListItem }>('GET', `/api/conversations/${enc(conversationId)}`);
  }
  createGroup(input: { title: string; memberIds: string[] }) {
    return this.request<{ conversation: CreatedGroup; position: number }>('POST', '/api/conversations', input);
  }
  /** Renames a group, or changes its setting (`membersMayAdd`, admins). */
  changeGroup(conversationId: string, change: { title?: string; membersMayAdd?: boolean }) {
    return this.request<{ position?: number }>('PATCH', `/api/conversations/${enc(conversationId)}`, change);
  }
  addMembers(conversationId: string, userIds: string[]) {
    return this.request<{ position?: number }>('POST', `/api/conversations/${enc(conversationId)}/members`, { userIds });
  }
  removeMember(conversationId: string, userId: string) {
    return this.request<{ position?: number }>('DELETE', `/api/conversations/${enc(conversationId)}/members/${enc(userId)}`);
  }
  leaveGroup(conversationId: string) {
    return this.request<{ position?: number }>('POST', `/api/conversations/${enc(conversationId)}/leave`, {});
  }

  /** Full-text search over the user's conversations (docs/search.md). */
  searchMessages(q: string, options: { conversationId?: string; cursor?: string; limit?: number } = {}) {
    return this.request<SearchPage>('GET', '/api/search', undefined, { q, ...options });
  }

  // catch-up
  events(after: number, limit = 200) {
    return this.request<{ events: FeedEvent[]; hasMore: boolean }>('GET', '/api/events', undefined, { after, limit });
  }

  // meetings
  startMeeting(contactId: string) {
    return this.request<{ meeting: Meeting; position: number }>('POST', `/api/contacts/${enc(contactId)}/meetings`, {});
  }
  listMeetings() {
    return this.request<{ meetings: Meeting[] }>('GET', '/api/meetings');
  }
  async getMeeting(meetingId: string): Promise<Meeting> {
    const body = await this.request<{ meeting?: Meeting } & Partial<Meeting>>('GET', `/api/meetings/${enc(meetingId)}`);
    return body.meeting ?? (body as Meeting);
  }
  declineMeeting(meetingId: string) {
    return this.request<unknown>('POST', `/api/meetings/${enc(meetingId)}/decline`, {});
  }
  endMeeting(meetingId: string) {
    return this.request<unknown>('POST', `/api/meetings/${enc(meetingId)}/end`, {});
  }
  listCalls(page: { before?: string; limit?: number; minPosition?: number } = {}) {
    return this.request<{ calls: CallRecord[]; hasMore: boolean }>('GET', '/api/calls', undefined, page);
  }
  iceServers() {
    return this.request<IceServersResponse>('GET', '/api/ice-servers');
  }
}

const enc = encodeURIComponent;
