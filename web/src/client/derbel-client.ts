import { ApiError } from './transport/api-error.js';
import type { CallClient } from './calls/call-client.js';
import { CallController } from './calls/call-controller.js';
import { ringWhileRinging } from './calls/ring-while-ringing.js';
import { Ringtone } from './calls/ringtone.js';
import { CallsLog } from './calls/calls-log.js';
import { ContactListSync } from './sync/contact-list-sync.js';
import {
  applyToContacts,
  contactsEndedBy,
  emptyContacts,
  isMembershipEvent,
  markReadLocally,
  setPresence,
  withoutContact,
  withoutPeer,
  withServerList,
  withSnapshot,
  type ContactsState,
} from './state/contacts-state.js';
import { Conversations } from './conversations.js';
import { Backoff, backoffDelay } from './transport/backoff.js';
import { Drafts } from './drafts.js';
import { GroupConversations } from './groups.js';
import { GroupNotes } from './group-notes.js';
import { isGroupEvent, withGroupsSnapshot } from './state/groups-state.js';
import { LeftGroups } from './left-groups.js';
import { FeedSync, type FeedPage } from './sync/feed-sync.js';
import { missedCalls, noMissedCalls, SeenCalls, type MissedCalls } from './calls/missed-calls.js';
import { browserStore, type KeyValueStore } from './key-value-store.js';
import { applyToMeetings, emptyMeetings, markDeclined, withMeeting, withMeetings, type MeetingsState } from './state/meetings-state.js';
import { Emitter, Observable } from './observable.js';
import { Outbox, type OutboxEntry } from './sync/outbox.js';
import { OfflineRealtime, type ConnectionState, type Realtime } from './transport/realtime.js';
import { RestClient } from './transport/rest-client.js';
import { signedInUser, type SessionState } from './state/session-state.js';
import { SocketConnection, type SocketConnectionOptions } from './transport/socket-connection.js';
import { Typing } from './typing.js';
import type {
  Attachment,
  BlockedUser,
  Contact,
  EphemeralEvent,
  FeedEvent,
  IncomingSignal,
  ReplyQuote,
  ServerEvent,
  User,
} from './types.js';

export type BlocksState = { loaded: boolean; blocks: BlockedUser[] };

/** A contact that ended while the client ran: removed (by either side) or blocked. */
export type ContactEnded = { contact: Contact; byMe: boolean };

export type DerbelClientOptions = {
  /** Api server origin (`https://derbel.example`); empty or absent for the page's own origin. */
  server?: string;
  fetch?: typeof fetch;
  /** Durable storage for the outbox (localStorage in the browser). */
  local?: KeyValueStore;
  /** Per-tab storage for the CSRF token and the call to rejoin (sessionStorage in the browser). */
  tab?: KeyValueStore;
  /** Builds the live connection; Socket.io by default. */
  realtime?: (options: SocketConnectionOptions) => Realtime;
  /** A bearer token the host page already holds; the session cookie is used otherwise. */
  token?: string | null;
  now?: () => Date;
};

/**
 * Everything the components need, without UI: the session, the contact list, conversations with
 * optimistic sending, meetings and the call log, all kept live over the socket and caught up after
 * a reconnect.
 */
export class DerbelClient implements CallClient {
  readonly server: string;
  readonly api: RestClient;
  readonly session = new Observable<SessionState>({ status: 'restoring' });
  readonly connection = new Observable<ConnectionState>('closed');
  /** While `reconnecting`: true when the server moved the connection on purpose (a deploy), not an outage. */
  readonly connectionMoving = new Observable<boolean>(false);
  readonly contacts = new Observable<ContactsState>(emptyContacts);
  readonly contactsLoaded = new Observable(false);
  /** The users this user blocked; loaded when first asked for (`loadBlocks`). */
  readonly blocks = new Observable<BlocksState>({ loaded: false, blocks: [] });
  readonly meetings = new Observable<MeetingsState>(emptyMeetings);
  /** contactId → until when (epoch ms) the peer shows as typing. */
  readonly typing: Observable<Record<string, number>>;
  /** contactId → userId → until when (epoch ms): who is typing in a group. */
  readonly typingPeople: Observable<Record<string, Record<string, number>>>;
  private readonly typingState: Typing;
  readonly outboxEntries = new Observable<readonly OutboxEntry[]>([]);
  /** A non-blocking message for the user (the state had to be reloaded); null when there is none. */
  readonly notice = new Observable<string | null>(null);
  readonly conversations: Conversations;
  /** Group conversations: create, rename, members, leave. */
  readonly groups: GroupConversations;
  readonly callsLog: CallsLog;
  /** Which missed calls the user has seen (local storage), and those they have not. */
  readonly seenCalls: SeenCalls;
  readonly missedCalls = new Observable<MissedCalls>(noMissedCalls);
  /** Unsent text per conversation (local storage). */
  readonly drafts: Drafts;
  /** Groups the user left, with what they had seen (local storage). */
  readonly leftGroups: LeftGroups;
  /** Groups' membership lines (local storage): they are not in the history the server pages. */
  readonly groupNotes: GroupNotes;
  /**
   * Every server event after it changed the state above; signals for the call in progress; `online`
   * on each (re)connection, once what was missed is caught up; `contact-ended` when a contact left the
   * list (removed or blocked, by either side): its conversation should close.
   */
  readonly events = new Emitter<{
    feed: FeedEvent;
    ephemeral: EphemeralEvent;
    signal: IncomingSignal;
    online: void;
    'contact-ended': ContactEnded;
  }>();
  readonly tab: KeyValueStore;
  realtime: Realtime = new OfflineRealtime();
  /** The conversation on screen: its incoming messages are read, not unread. */
  openContactId: string | null = null;

  readonly local: KeyValueStore;
  readonly call: CallController;
  /** Sounds while a call rings for the user. */
  readonly ringtone = new Ringtone();
  private token: string | null;
  private outbox: Outbox | null = null;
  private readonly feed: FeedSync;
  private readonly contactList: ContactListSync;
  /** Contacts this tab is removing or blocking: their end is the user's own doing. */
  private readonly ending = new Set<string>();
  private contactListRetry: ReturnType<typeof setTimeout> | null = null;
  private readonly now: () => Date;
  private detach: Array<() => void> = [];
  private catchUpRetry: ReturnType<typeof setTimeout> | null = null;
  private readonly catchUpBackoff = new Backoff();
  private snapshotRetry: ReturnType<typeof setTimeout> | null = null;
  private refusedSockets = 0;
  private recovery: Promise<void> | null = null;

  constructor(private readonly options: DerbelClientOptions = {}) {
    this.server = (options.server ?? '').replace(/\/+$/, '');
    this.local = options.local ?? browserStore('localStorage');
    this.tab = options.tab ?? browserStore('sessionStorage');
    this.token = options.token ?? null;
    this.now = options.now ?? (() => new Date());
    this.typingState = new Typing(this.now);
    this.typing = this.typingState.state;
    this.typingPeople = this.typingState.people;
    this.api = new RestClient({
      server: this.server,
      session: this.tab,
      fetch: options.fetch,
      token: () => this.token,
      onRenewed: ({ token }) => {
        // A bearer-token client moves to the new token; a cookie client got a new cookie. The socket needs it either way.
        if (this.token) this.token = token;
        this.realtime.renew?.(token);
      },
      isGroup: (conversationId) => this.contacts.value.groups.some((group) => group.id === conversationId),
    });
    this.feed = new FeedSync(
      (after) => this.api.events(after),
      (event) => this.applyFeed(event),
    );
    this.contactList = new ContactListSync(
      (minPosition) => this.api.listContacts(minPosition),
      (list) => this.contacts.update((state) => withServerList(state, list)),
    );
    this.conversations = new Conversations(this);
    this.groups = new GroupConversations(this);
    this.callsLog = new CallsLog(this.api);
    this.seenCalls = new SeenCalls(
      this.local,
      () => (this.me ? `derbel.seen-calls:${this.server || 'self'}:${this.me.id}` : null),
      this.now,
    );
    const deriveMissed = () => {
      const seen = this.seenCalls.state.value;
      this.missedCalls.set(seen ? missedCalls(this.callsLog.state.value.calls, seen) : noMissedCalls);
    };
    this.callsLog.state.subscribe(deriveMissed);
    this.seenCalls.state.subscribe(deriveMissed);
    this.drafts = new Drafts(this.local, () => (this.me ? `derbel.draft:${this.server || 'self'}:${this.me.id}` : null));
    this.leftGroups = new LeftGroups(this.local, () => (this.me ? `derbel.left-groups:${this.server || 'self'}:${this.me.id}` : null));
    this.groupNotes = new GroupNotes(this.local, () => (this.me ? `derbel.group-notes:${this.server || 'self'}:${this.me.id}` : null));
    this.call = new CallController(this);
    ringWhileRinging(this, this.ringtone);
  }

  get me(): User | null {
    return signedInUser(this.session.value);
  }

  /** On page load: are we still signed in (cookie or token)? */
  async restore(): Promise<void> {
    try {
      const { user, feedPosition } = await this.api.me();
      await this.begin(user, feedPosition);
    } catch (error) {
      const unreachable = error instanceof ApiError && error.isRetryable;
      this.session.set({ status: 'signed-out', reason: unreachable ? 'unreachable' : undefined });
    }
  }

  async signIn(username: string, password: string): Promise<User> {
    const { token, user } = await this.api.signIn({ username, password });
    this.token = token ?? this.token;
    const { feedPosition } = await this.api.me().catch(() => ({ feedPosition: undefined }));
    await this.begin(user, feedPosition);
    return user;
  }

  async signUp(input: { username: string; displayName: string; password: string }): Promise<User> {
    await this.api.signUp(input);
    return this.signIn(input.username, input.password);
  }

  async signOut(): Promise<void> {
    await this.api.signOut().catch(() => undefined);
    this.end({ status: 'signed-out', reason: 'signed-out' });
  }

  /** Ends every session of the user, on every device. */
  async signOutEverywhere(): Promise<void> {
    await this.api.signOutEverywhere().catch(() => undefined);
    this.end({ status: 'signed-out', reason: 'signed-out' });
  }

  /** Uses a token the host page obtained (embedding with bearer auth). */
  async useToken(token: string | null) {
    this.token = token;
    this.end({ status: 'restoring' });
    await this.restore();
  }

  // ---- search ----

  /** One page of the user's messages matching `q` (every word, the last as a prefix); `cursor` is the previous page's `next`. */
  searchMessages(q: string, options: { conversationId?: string; cursor?: string; limit?: number } = {}) {
    return this.api.searchMessages(q, options);
  }

  // ---- contacts ----

  searchUsers(query: string) {
    return this.api.searchUsers(query).then((body) => body.users);
  }

  /**
   * Asks someone to become a contact, with an optional first message. `accepted` when they had asked
   * first (crossing requests); the list shows the request or the contact once this resolves.
   */
  async requestContact(username: string, message?: string) {
    const { contact, position } = await this.api.requestContact(username, message?.trim() || undefined);
    await this.refreshContacts(position);
    return contact;
  }

  async acceptRequest(contactId: string) {
    const { contact, position } = await this.api.acceptRequest(contactId);
    await this.refreshContacts(position);
    return contact;
  }

  async declineRequest(contactId: string) {
    const { position } = await this.api.declineRequest(contactId);
    this.contacts.update((state) => withoutContact(state, contactId));
    await this.refreshContacts(position);
  }

  /** Withdraws the user's own pending request. */
  cancelRequest(contactId: string) {
    return this.removeContact(contactId);
  }

  /** Removes an accepted contact (or cancels an outgoing request): it leaves the list, its conversation closes. */
  async removeContact(contactId: string) {
    this.ending.add(contactId);
    try {
      const { position } = await this.api.removeContact(contactId);
      this.endContacts(this.contacts.value.contacts.filter((contact) => contact.id === contactId));
      this.contacts.update((state) => withoutContact(state, contactId));
      await this.refreshContacts(position);
    } finally {
      this.ending.delete(contactId);
    }
  }

  /** Blocks a user: contact and requests with them end at once; they are not told. */
  async block(userId: string) {
    const shared = this.contacts.value.contacts.filter((contact) => contact.peer.id === userId);
    for (const contact of shared) this.ending.add(contact.id);
    try {
      const { position } = await this.api.block(userId);
      this.endContacts(this.contacts.value.contacts.filter((contact) => contact.peer.id === userId));
      this.contacts.update((state) => withoutPeer(state, userId));
      await Promise.all([this.refreshContacts(position), this.blocks.value.loaded ? this.loadBlocks(position) : null]);
    } finally {
      for (const contact of shared) this.ending.delete(contact.id);
    }
  }

  /** Lifts a block; the contact does not come back by itself. */
  async unblock(userId: string) {
    const { position } = await this.api.unblock(userId);
    this.blocks.update((state) => ({ ...state, blocks: state.blocks.filter((block) => block.user.id !== userId) }));
    await this.loadBlocks(position);
  }

  async loadBlocks(minPosition?: number) {
    const { blocks } = await this.api.listBlocks(minPosition);
    this.blocks.set({ loaded: true, blocks });
  }

  /** The list read again once it reflects `position`; a failed read is retried in the background. */
  private refreshContacts(position: number): Promise<void> {
    return this.contactList.refresh(position).catch(() => this.retryContactList());
  }

  private retryContactList() {
    if (this.contactListRetry) return;
    const session = this.session.value;
    this.contactListRetry = setTimeout(() => {
      this.contactListRetry = null;
      if (this.session.value === session) void this.refreshContacts(0);
    }, 3_000);
  }

  /** What closes with a contact: its call, its cached conversation, its unsent messages. */
  private endContacts(contacts: Contact[]) {
    for (const contact of contacts) {
      this.call.contactGone(contact.id);
      this.conversations.forget(contact.id);
      for (const entry of this.outbox?.entriesFor(contact.id) ?? []) this.outbox?.discard(entry.id);
      this.events.emit('contact-ended', { contact, byMe: this.ending.has(contact.id) });
    }
  }

  contact(contactId: string) {
    return this.contacts.value.contacts.find((contact) => contact.id === contactId) ?? null;
  }

  /** Takes a group the user left off the list, and its history off the device. */
  dismissGroup(groupId: string) {
    if (!this.group(groupId)?.left) return;
    this.leftGroups.forget(groupId);
    this.groupNotes.forget(groupId);
    this.conversations.forget(groupId);
    this.contacts.update((state) => ({ ...state, groups: state.groups.filter((group) => group.id !== groupId) }));
  }

  /** The group conversation of that id, or null. */
  group(groupId: string) {
    return this.groups.get(groupId);
  }

  // ---- messages ----

  /** Queues a message; `replyTo`: the message it answers, quoted as shown. */
  send(contactId: string, text: string, attachments: Attachment[] = [], replyTo: ReplyQuote | null = null) {
    if (!this.outbox) throw new Error('Not signed in');
    this.typingState.sent(contactId);
    this.drafts.clear(contactId);
    return this.outbox.enqueue(contactId, text, attachments, replyTo);
  }

  /** Uploads a file to send in a message; `onProgress` gets the share sent (0–1). */
  upload(file: Blob & { name?: string }, onProgress?: (sent: number) => void, name?: string) {
    return this.api.uploadAttachment(file, onProgress, name);
  }

  /** The address of a sent file (or its thumbnail) for an `<img>` or a download link. */
  attachmentUrl(attachmentId: string, variant: 'original' | 'thumbnail' = 'original') {
    return this.api.attachmentUrl(attachmentId, variant);
  }

  retrySend(messageId: string) {
    return this.outbox?.retry(messageId);
  }

  discardSend(messageId: string) {
    this.outbox?.discard(messageId);
  }

  /** Edits an own message at once, and puts it back if the server refuses. */
  editMessage(contactId: string, messageId: string, text: string) {
    return this.conversations.edit(contactId, messageId, text, this.now());
  }

  /** Deletes an own message at once (it stays as a tombstone), and puts it back if the server refuses. */
  deleteMessage(contactId: string, messageId: string) {
    return this.conversations.remove(contactId, messageId);
  }

  /** Adds or removes the user's reaction (`on`) at once, and takes it back if the server refuses. */
  async react(contactId: string, messageId: string, emoji: string, on: boolean) {
    const me = this.me;
    if (me) await this.conversations.react(contactId, messageId, emoji, me.id, on);
  }

  /** Tells the peer we are typing, at most every couple of seconds. */
  notifyTyping(contactId: string) {
    if (this.typingState.shouldNotify(contactId)) this.realtime.emit('typing', { contactId });
  }

  /** Marks the conversation read up to its newest message, when someone else wrote it. */
  async markRead(contactId: string, messageId: string) {
    this.contacts.update((state) => markReadLocally(state, contactId));
    if (this.group(contactId)?.left) return;
    await this.api.markRead(contactId, messageId);
  }

  // ---- meetings ----

  async declineMeeting(meetingId: string) {
    this.meetings.update((state) => markDeclined(state, meetingId));
    await this.api.declineMeeting(meetingId);
  }

  async refreshMeetings() {
    const { meetings } = await this.api.listMeetings();
    this.meetings.update((state) => withMeetings(state, meetings));
  }

  rememberMeeting(meeting: Parameters<typeof withMeeting>[1]) {
    this.meetings.update((state) => withMeeting(state, meeting));
  }

  // ---- lifecycle ----

  private async begin(user: User, feedPosition?: number) {
    this.end(null);
    this.session.set({ status: 'signed-in', user });
    this.seenCalls.load();
    this.outbox = new Outbox({
      storage: this.local,
      key: `derbel.outbox:${this.server || 'self'}:${user.id}`,
      senderId: user.id,
      send: async (entry) =>
        (
          await this.api.sendMessage(entry.contactId, {
            id: entry.id,
            text: entry.text,
            ...(entry.attachments?.length ? { attachmentIds: entry.attachments.map((a) => a.id) } : {}),
            ...(entry.replyTo ? { replyTo: entry.replyTo.id } : {}),
          })
        ).message,
      onSent: (message) => this.conversations.confirm(message),
    });
    this.outboxEntries.set(this.outbox.all);
    this.detach.push(this.outbox.subscribe((entries) => this.outboxEntries.set(entries)));

    const realtime = (this.options.realtime ?? ((o) => new SocketConnection(o)))({
      server: this.server,
      token: () => this.token,
      csrfToken: () => this.api.csrfToken,
      feedAfter: () => this.feed.position,
    });
    this.realtime = realtime;
    this.detach.push(
      realtime.on('moving', () => this.connectionMoving.set(true)),
      realtime.state.subscribe((state) => {
        if (state !== 'reconnecting') this.connectionMoving.set(false);
        this.connection.set(state);
      }),
      realtime.on('event', (event) => this.receive(event)),
      realtime.on('signal', (signal) => this.events.emit('signal', signal)),
      realtime.on('connected', ({ reconnect, missed }) => {
        this.refusedSockets = 0;
        if (reconnect) void this.catchUp(missed).then(() => this.events.emit('online', undefined));
        else {
          this.events.emit('online', undefined);
          // What was committed after the first load's reads and before the socket was in its rooms was pushed to nobody.
          this.onceContactsLoaded(() => this.feed.hasBaseline && void this.catchUp());
        }
        // Before the first list arrives a group's id is not known as one: its messages would take the direct route.
        if (this.contactsLoaded.value) void this.outbox?.flush();
      }),
      realtime.on('unauthorized', () => void this.checkSession()),
    );
    this.feed.hold();
    realtime.connect();
    await this.loadSnapshot(feedPosition).catch(() => this.retrySnapshot());
    // Missed calls show on the contact list and the Calls link from the start.
    if (!this.callsLog.state.value.loaded && !this.callsLog.state.value.loading) void this.callsLog.load().catch(() => undefined);
    void this.outbox.flush();
    // A reload in the middle of a call joins it again.
    if (typeof RTCPeerConnection !== 'undefined') void this.call.rejoinAfterReload().catch(() => undefined);
  }

  /** Loads contacts and meetings; live events that raced the load are applied after it. */
  private async loadSnapshot(feedPosition?: number) {
    this.feed.hold();
    try {
      const [{ contacts, requests, feedPosition: contactsPosition }, { conversations }, { meetings }] = await Promise.all([
        this.api.listContacts(),
        // Direct conversations keep coming from `GET /api/contacts` (with presence and requests); groups from here.
        this.api.listConversations().catch((error) => {
          if (error instanceof ApiError && error.statusCode === 404 && error.code !== 'CONVERSATION_NOT_FOUND')
            return { conversations: [] };
          throw error;
        }),
        this.api.listMeetings().catch(() => ({ meetings: [] })),
      ]);
      const listed = new Set(conversations.map((conversation) => conversation.id));
      const kept = this.leftGroups.all().filter((entry) => !listed.has(entry.group.id));
      for (const id of listed) this.leftGroups.forget(id);
      this.contacts.update((state) => {
        const next = withSnapshot(state, { contacts, requests });
        const shown = new Set(state.groups.map((group) => group.id));
        const cached = kept.filter((entry) => !shown.has(entry.group.id)).map((entry) => entry.group);
        const notes = this.groupNotes.all();
        const groups = withGroupsSnapshot([...state.groups, ...cached], conversations).map((group) =>
          group.notes.length === 0 && notes[group.id] ? { ...group, notes: notes[group.id]! } : group,
        );
        return { ...next, groups };
      });
      for (const entry of kept) this.conversations.restore(entry.group.id, entry.messages);
      this.meetings.update((state) => withMeetings(state, meetings));
      this.feed.release(feedPosition ?? contactsPosition ?? null);
      this.contactsLoaded.set(true);
    } catch (error) {
      this.feed.release(null);
      throw error;
    }
  }

  /** Runs `then` now if the first load is in, else once it is (not at all if the session ends first). */
  private onceContactsLoaded(then: () => void) {
    if (this.contactsLoaded.value) return then();
    const stop = this.contactsLoaded.subscribe((loaded) => {
      if (!loaded) return;
      stop();
      then();
    });
    this.detach.push(stop);
  }

  /** The first load failed (server hiccup): try again until it works or the session ends. */
  private retrySnapshot(attempt = 1) {
    const session = this.session.value;
    this.snapshotRetry = setTimeout(() => {
      if (this.session.value !== session) return;
      this.loadSnapshot().catch(() => this.retrySnapshot(attempt + 1));
    }, backoffDelay(attempt));
  }

  /**
   * After a reconnect: apply what the feed missed (`missed`: the page the server sent with the connect, if it
   * did; fetched otherwise), or reload everything if we have no position.
   */
  private async catchUp(missed?: Promise<FeedPage | null>) {
    if (this.catchUpRetry) clearTimeout(this.catchUpRetry);
    this.catchUpRetry = null;
    try {
      if (this.feed.hasBaseline) await this.feed.catchUp(missed);
      else {
        await this.loadSnapshot();
        await this.conversations.resync();
      }
      this.catchUpBackoff.reset();
    } catch (error) {
      if (error instanceof ApiError && error.statusCode === 401) return this.checkSession();
      // Jittered: after a node crash, every client's catch-up may fail at the same moment (a 503, a 429).
      this.catchUpRetry = setTimeout(() => void this.catchUp(), this.catchUpBackoff.next());
    }
  }

  private async checkSession() {
    try {
      await this.api.me();
      // Still signed in, yet the socket was refused: try again, more slowly each time.
      this.refusedSockets++;
      const realtime = this.realtime;
      setTimeout(
        () => realtime === this.realtime && (realtime as Partial<SocketConnection>).reconnect?.(),
        backoffDelay(this.refusedSockets),
      );
    } catch (error) {
      if (error instanceof ApiError && error.statusCode === 401) this.end({ status: 'signed-out', reason: 'expired' });
    }
  }

  private end(next: SessionState | null) {
    for (const undo of this.detach.splice(0)) undo();
    this.realtime.close();
    this.realtime = new OfflineRealtime();
    this.connectionMoving.set(false);
    this.connection.set('closed');
    this.outbox?.stop();
    this.outbox = null;
    this.outboxEntries.set([]);
    this.feed.reset();
    this.contacts.set(emptyContacts);
    this.contactsLoaded.set(false);
    this.contactList.reset();
    this.groups.reset();
    this.blocks.set({ loaded: false, blocks: [] });
    if (this.contactListRetry) clearTimeout(this.contactListRetry);
    this.contactListRetry = null;
    this.meetings.set(emptyMeetings);
    this.typingState.clear();
    this.conversations.clear();
    this.callsLog.clear();
    this.seenCalls.clear();
    this.notice.set(null);
    if (this.catchUpRetry) clearTimeout(this.catchUpRetry);
    if (this.snapshotRetry) clearTimeout(this.snapshotRetry);
    if (next) {
      if (next.status === 'signed-out') this.token = null;
      this.session.set(next);
    }
  }

  // ---- events ----

  private receive(event: ServerEvent) {
    if (typeof event.position === 'number') this.feed.receive(event as FeedEvent);
    else this.applyEphemeral(event as EphemeralEvent);
  }

  /**
   * A reducer (or a subscriber) that throws must not leave the tab deaf: the error is logged, the
   * state is reloaded from the server and the user is told, and the next events apply as usual.
   */
  private applyFeed(event: FeedEvent) {
    try {
      this.reduceFeed(event);
    } catch (error) {
      this.recover(event, error);
    }
    try {
      this.events.emit('feed', event);
    } catch (error) {
      this.recover(event, error);
    }
  }

  private recover(event: FeedEvent, error: unknown) {
    console.error(`Could not apply ${event.type} at ${event.position}; reloading from the server.`, error);
    this.notice.set('Something went wrong while updating. Your conversations were reloaded.');
    this.recovery ??= (async () => {
      try {
        await this.loadSnapshot();
        await this.conversations.resync();
      } catch {
        this.retrySnapshot();
      } finally {
        this.recovery = null;
      }
    })();
  }

  private reduceFeed(event: FeedEvent) {
    const me = this.me;
    if (!me) return;
    const ended = contactsEndedBy(this.contacts.value, event);
    this.contacts.update((state) => applyToContacts(state, event, { me, openContactId: this.openContactId }));
    this.endContacts(ended);
    this.conversations.apply(event);
    this.meetings.update((state) => applyToMeetings(state, event, me.id));
    if (event.type === 'MessageSent') {
      this.outbox?.confirm(event.data.messageId);
      this.typingState.stopped(event.data.contactId, event.data.senderId);
    }
    this.groups.received(event);
    if (isGroupEvent(event)) {
      const group = this.group((event.data as { contactId: string }).contactId);
      if (group) this.groupNotes.keep(group.id, group.notes);
    }
    if ((event.type === 'GroupMemberRemoved' || event.type === 'GroupMemberLeft') && event.data.userId === me.id) {
      const group = this.group(event.data.contactId);
      if (group?.left) this.leftGroups.keep(group, this.conversations.of(group.id).value.messages);
      // Out of the group is out of its call (the server gave up the seat; the others stop sending).
      this.call.contactGone(event.data.contactId);
    }
    if (event.type === 'GroupMembersAdded' && event.data.userIds.includes(me.id)) this.leftGroups.forget(event.data.contactId);
    if (isMembershipEvent(event)) void this.refreshContacts(event.position);
    if ((event.type === 'UserBlocked' || event.type === 'UserUnblocked') && this.blocks.value.loaded)
      void this.loadBlocks(event.position).catch(() => undefined);
    if (event.type === 'MeetingEnded') this.callsLog.refresh(event.position);
  }

  private applyEphemeral(event: EphemeralEvent) {
    if (event.type === 'FeedResync') {
      void this.catchUp();
    } else if (event.type === 'PresenceChanged') {
      this.contacts.update((state) => setPresence(state, event.data.userId, event.data.online));
    } else if (event.type === 'PresenceChanges') {
      const { changes } = event.data;
      this.contacts.update((state) => changes.reduce((next, { userId, online }) => setPresence(next, userId, online), state));
    } else if (event.type === 'Typing' && event.data.userId !== this.me?.id) {
      this.typingState.started(event.data.contactId, event.data.userId);
    }
    this.events.emit('ephemeral', event);
  }
}
