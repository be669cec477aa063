import { randomUUID } from 'node:crypto';
import type { BlockedUser, CallRecord, Contact, ContactRequest, Meeting, Message, User } from '../../../../web/src/client/types.js';

/** Thrown by the fake to answer `{ statusCode, code, message }`. */
export class Refusal extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message = code,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

type StoredMeeting = Meeting & {
  startedAt: string;
  declined: string[];
  seats: Map<string, { userId: string; peerId: string; socketIds: Set<string>; leaveTimer?: NodeJS.Timeout }>;
  ringTimer?: NodeJS.Timeout;
};

type Ended = {
  meetingId: string;
  contactId: string;
  startedBy: string;
  members: string[];
  outcome: CallRecord['outcome'];
  startedAt: string;
  endedAt: string;
  answeredAt: string | null;
};

export type FeedEntry = { type: string; position: number; data: Record<string, unknown>; userIds: string[] };

export type FakeOptions = { ringMs: number; graceMs: number; feedPosition: boolean };

type StoredRequest = {
  id: string;
  requestedBy: string;
  recipientId: string;
  message: string | null;
  requestedAt: string;
  silenced: boolean;
  declinedAt: string | null;
};

/** How long a declined request silences new ones from the same requester (the server's default). */
const COOLDOWN_MS = 24 * 60 * 60 * 1000;

/**
 * The in-memory state of the fake API used by the component tests: accounts, contacts, messages,
 * the per-user feed, meetings. Only the behaviour the web client relies on, per the API contract.
 */
export class FakeStore {
  users = new Map<string, User & { password: string }>();
  tokens = new Map<string, string>();
  csrf = new Map<string, string>();
  contacts = new Map<string, { id: string; members: [string, string]; lastActivityAt: string }>();
  /** Pending (and declined) requests by contact id. */
  requests = new Map<string, StoredRequest>();
  /** blockerId → blockedId → blockedAt. */
  blocks = new Map<string, Map<string, string>>();
  messages = new Map<string, Message[]>();
  reads = new Map<string, string>();
  feed: FeedEntry[] = [];
  meetings = new Map<string, StoredMeeting>();
  ended: Ended[] = [];
  online = new Map<string, number>();
  /** Called for every feed entry and ephemeral event: the socket layer pushes them. */
  push: (entry: FeedEntry | { type: string; data: Record<string, unknown>; userIds: string[] }) => void = () => {};

  constructor(readonly options: FakeOptions) {}

  private clock = Date.parse('2024-05-01T09:00:00.000Z');
  /** Strictly increasing timestamps, close to now, so ordering never ties. */
  now() {
    this.clock = Math.max(this.clock + 1, Date.now());
    return new Date(this.clock).toISOString();
  }

  publish(type: string, data: Record<string, unknown>, userIds: string[]) {
    const entry = { type, position: this.feed.length + 1, data, userIds };
    this.feed.push(entry);
    this.push(entry);
    return entry.position;
  }

  // accounts and sessions
  register(username: string, displayName: string, password: string): User {
    if (!/^[a-z0-9_.-]{3,32}$/i.test(username) || !displayName || password.length < 8)
      throw new Refusal(400, 'VALIDATION_ERROR', 'Invalid account');
    if (this.byUsername(username)) throw new Refusal(409, 'USERNAME_TAKEN', 'Username taken');
    const user = { id: randomUUID(), username: username.toLowerCase(), displayName, password };
    this.users.set(user.id, user);
    return this.public(user.id);
  }

  signIn(username: string, password: string) {
    const user = this.byUsername(username);
    if (!user || user.password !== password) throw new Refusal(401, 'INVALID_CREDENTIALS', 'Wrong username or password');
    const token = randomUUID();
    this.tokens.set(token, user.id);
    this.csrf.set(token, randomUUID());
    return { token, user: this.public(user.id), csrfToken: this.csrf.get(token)! };
  }

  byUsername(username: string) {
    return [...this.users.values()].find((user) => user.username === username.toLowerCase());
  }

  public(userId: string): User {
    const { id, username, displayName } = this.users.get(userId)!;
    return { id, username, displayName };
  }

  search(query: string) {
    const q = query.toLowerCase();
    return [...this.users.values()]
      .filter((user) => user.username.includes(q) || user.displayName.toLowerCase().includes(q))
      .slice(0, 20)
      .map((user) => this.public(user.id));
  }

  // contacts
  /** The one id a pair of users has, whoever asks (the server derives it from the members too). */
  pairId(a: string, b: string) {
    const key = [a, b].sort().join(':');
    this.pairIds.set(key, this.pairIds.get(key) ?? randomUUID());
    return this.pairIds.get(key)!;
  }
  private pairIds = new Map<string, string>();

  /** Seeds an accepted contact, as if one asked and the other accepted. */
  addContact(userId: string, username: string) {
    const peer = this.peerFor(userId, username);
    return { contact: this.contactFor(userId, this.connect(userId, peer.id)), position: this.feed.length };
  }

  private peerFor(userId: string, username: string) {
    const peer = this.byUsername(username);
    if (!peer) throw new Refusal(404, 'USER_NOT_FOUND', 'No such user');
    if (peer.id === userId) throw new Refusal(400, 'CANNOT_ADD_SELF', 'That is you');
    if (this.contacts.has(this.pairId(userId, peer.id))) throw new Refusal(409, 'ALREADY_CONTACTS', 'Already contacts');
    return peer;
  }

  private connect(userId: string, peerId: string) {
    const id = this.pairId(userId, peerId);
    const contact = { id, members: [userId, peerId] as [string, string], lastActivityAt: this.now() };
    this.requests.delete(id);
    this.contacts.set(id, contact);
    if (!this.messages.has(id)) this.messages.set(id, []);
    this.publish(
      'ContactAdded',
      { contactId: id, kind: 'direct', members: contact.members, addedBy: userId, addedAt: contact.lastActivityAt },
      contact.members,
    );
    return id;
  }

  private blocked(blockerId: string, blockedId: string) {
    return this.blocks.get(blockerId)?.has(blockedId) ?? false;
  }

  /** `POST /api/contacts`: a request, or the contact itself when the other side had asked first. */
  requestContact(userId: string, username: string, message: string | null) {
    const peer = this.peerFor(userId, username);
    const id = this.pairId(userId, peer.id);
    const pending = this.requests.get(id);
    if (pending && pending.requestedBy === peer.id && !pending.declinedAt && !pending.silenced) {
      this.connect(userId, peer.id);
      return { contact: { id, peer: this.public(peer.id), status: 'accepted' }, position: this.feed.length };
    }
    if (pending?.requestedBy === userId && !pending.declinedAt)
      return { contact: { id, peer: this.public(peer.id), status: 'pending' }, position: this.feed.length };
    const coolingOff = pending?.declinedAt && Date.now() - Date.parse(pending.declinedAt) < COOLDOWN_MS;
    const request: StoredRequest = {
      id,
      requestedBy: userId,
      recipientId: peer.id,
      message,
      requestedAt: this.now(),
      silenced: this.blocked(peer.id, userId) || Boolean(coolingOff),
      declinedAt: null,
    };
    this.requests.set(id, request);
    const data = { contactId: id, requestedBy: userId, recipientId: peer.id, message, requestedAt: request.requestedAt };
    const position = this.publish('ContactRequested', data, request.silenced ? [userId] : [userId, peer.id]);
    return { contact: { id, peer: this.public(peer.id), status: 'pending' }, position };
  }

  private incoming(userId: string, contactId: string) {
    const request = this.requests.get(contactId);
    if (!request || request.recipientId !== userId || request.silenced || request.declinedAt)
      throw new Refusal(404, 'CONTACT_NOT_FOUND', 'No such request');
    return request;
  }

  accept(userId: string, contactId: string) {
    const request = this.incoming(userId, contactId);
    this.connect(userId, request.requestedBy);
    return { contact: { id: contactId, peer: this.public(request.requestedBy), status: 'accepted' }, position: this.feed.length };
  }

  declineRequest(userId: string, contactId: string) {
    const request = this.incoming(userId, contactId);
    request.declinedAt = this.now();
    return { position: this.publish('ContactRequestDeclined', { contactId, declinedAt: request.declinedAt }, [userId]) };
  }

  /** `DELETE /api/contacts/:id`: ends an accepted contact, or cancels the user's own request. */
  removeContact(userId: string, contactId: string) {
    const request = this.requests.get(contactId);
    if (request?.requestedBy === userId) return { position: this.cancel(request) };
    this.member(userId, contactId);
    return { position: this.endContact(contactId) };
  }

  private cancel(request: StoredRequest) {
    this.requests.delete(request.id);
    const told = request.silenced || request.declinedAt ? [request.requestedBy] : [request.requestedBy, request.recipientId];
    return this.publish('ContactRequestCancelled', { contactId: request.id, cancelledAt: this.now() }, told);
  }

  /** The contact ends, then its call: the client closes the call UI on `ContactRemoved` alone. */
  private endContact(contactId: string) {
    const contact = this.contacts.get(contactId)!;
    const position = this.publish('ContactRemoved', { contactId, removedAt: this.now() }, contact.members);
    for (const meeting of [...this.meetings.values()]) if (meeting.contactId === contactId) this.endMeeting(meeting.id, 'ended');
    this.contacts.delete(contactId);
    return position;
  }

  block(userId: string, blockedId: string) {
    if (blockedId === userId) throw new Refusal(400, 'CANNOT_BLOCK_SELF', 'That is you');
    if (!this.users.has(blockedId)) throw new Refusal(404, 'USER_NOT_FOUND', 'No such user');
    const mine = this.blocks.get(userId) ?? new Map<string, string>();
    this.blocks.set(userId, mine);
    const id = this.pairId(userId, blockedId);
    if (!mine.has(blockedId)) {
      mine.set(blockedId, this.now());
      if (this.contacts.has(id)) this.endContact(id);
      const request = this.requests.get(id);
      if (request) this.cancel(request);
    }
    const position = this.publish('UserBlocked', { userId: blockedId, blockedAt: mine.get(blockedId) }, [userId]);
    return { block: this.blockView(blockedId, mine.get(blockedId)!), position };
  }

  unblock(userId: string, blockedId: string) {
    if (!this.blocks.get(userId)?.delete(blockedId)) return { position: this.feed.length };
    return { position: this.publish('UserUnblocked', { userId: blockedId, unblockedAt: this.now() }, [userId]) };
  }

  /** Blocks and requests name the other user by id and username only, as the contract says. */
  private blockView(userId: string, blockedAt: string): BlockedUser {
    const { id, username } = this.public(userId);
    return { user: { id, username }, blockedAt };
  }

  blocksOf(userId: string): BlockedUser[] {
    return [...(this.blocks.get(userId) ?? new Map<string, string>()).entries()]
      .map(([blockedId, at]) => this.blockView(blockedId, at))
      .sort((a, b) => b.blockedAt.localeCompare(a.blockedAt));
  }

  requestsOf(userId: string): ContactRequest[] {
    return [...this.requests.values()]
      .filter((r) => r.requestedBy === userId || (r.recipientId === userId && !r.silenced && !r.declinedAt))
      .map((r) => {
        const peerId = r.requestedBy === userId ? r.recipientId : r.requestedBy;
        const { id, username } = this.public(peerId);
        return {
          id: r.id,
          peer: { id, username },
          direction: r.requestedBy === userId ? 'outgoing' : 'incoming',
          message: r.message,
          requestedAt: r.requestedAt,
        } as const;
      })
      .sort((a, b) => b.requestedAt.localeCompare(a.requestedAt));
  }

  member(userId: string, contactId: string) {
    const contact = this.contacts.get(contactId);
    if (!contact || !contact.members.includes(userId)) throw new Refusal(404, 'CONTACT_NOT_FOUND', 'No such contact');
    return contact;
  }

  contactFor(userId: string, contactId: string): Contact {
    const contact = this.member(userId, contactId);
    const peerId = contact.members.find((id) => id !== userId)!;
    const messages = this.messages.get(contactId)!;
    const myRead = this.reads.get(`${contactId}:${userId}`);
    const readIndex = myRead ? messages.findIndex((m) => m.id === myRead) : -1;
    const meeting = [...this.meetings.values()].find((m) => m.contactId === contactId);
    return {
      id: contactId,
      peer: this.public(peerId),
      lastMessage: messages.at(-1) ?? null,
      unreadCount: messages.slice(readIndex + 1).filter((m) => m.senderId !== userId && !m.deleted).length,
      lastActivityAt: contact.lastActivityAt,
      peerLastReadMessageId: this.reads.get(`${contactId}:${peerId}`) ?? null,
      activeMeeting: meeting ? { id: meeting.id, state: meeting.state } : null,
      peerOnline: (this.online.get(peerId) ?? 0) > 0,
    };
  }

  contactsOf(userId: string) {
    return [...this.contacts.values()]
      .filter((contact) => contact.members.includes(userId))
      .map((contact) => this.contactFor(userId, contact.id))
      .sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt));
  }

  // messages
  send(userId: string, contactId: string, text: string, id: string = randomUUID()) {
    const contact = this.member(userId, contactId);
    const messages = this.messages.get(contactId)!;
    const existing = messages.find((m) => m.id === id);
    if (existing) return { message: existing, position: 0, repeated: true };
    if (!text || text.length > 4000) throw new Refusal(400, 'VALIDATION_ERROR', 'Text must be 1–4000 characters');
    const message: Message = { id, contactId, senderId: userId, text, sentAt: this.now(), editedAt: null, deleted: false };
    messages.push(message);
    contact.lastActivityAt = message.sentAt;
    const position = this.publish(
      'MessageSent',
      { contactId, messageId: id, senderId: userId, text, sentAt: message.sentAt },
      contact.members,
    );
    return { message, position, repeated: false };
  }

  page(userId: string, contactId: string, query: { before?: string; after?: string; limit?: string }) {
    this.member(userId, contactId);
    const all = this.messages.get(contactId)!;
    const limit = Math.min(Number(query.limit ?? 50), 100);
    if (query.after) {
      const from = all.findIndex((m) => m.id === query.after) + 1;
      const messages = all.slice(from, from + limit);
      return { messages, hasMore: from + limit < all.length };
    }
    const end = query.before ? all.findIndex((m) => m.id === query.before) : all.length;
    const start = Math.max(0, end - limit);
    return { messages: all.slice(start, end), hasMore: start > 0 };
  }

  ownMessage(userId: string, contactId: string, messageId: string) {
    const contact = this.member(userId, contactId);
    const message = this.messages.get(contactId)!.find((m) => m.id === messageId);
    if (!message) throw new Refusal(404, 'MESSAGE_NOT_FOUND');
    if (message.senderId !== userId) throw new Refusal(403, 'NOT_SENDER');
    return { contact, message };
  }

  edit(userId: string, contactId: string, messageId: string, text: string) {
    const { contact, message } = this.ownMessage(userId, contactId, messageId);
    message.text = text;
    message.editedAt = this.now();
    const position = this.publish('MessageEdited', { contactId, messageId, text, editedAt: message.editedAt }, contact.members);
    return { message, position };
  }

  remove(userId: string, contactId: string, messageId: string) {
    const { contact, message } = this.ownMessage(userId, contactId, messageId);
    message.text = '';
    message.deleted = true;
    return { position: this.publish('MessageDeleted', { contactId, messageId }, contact.members) };
  }

  read(userId: string, contactId: string, messageId: string) {
    const contact = this.member(userId, contactId);
    this.reads.set(`${contactId}:${userId}`, messageId);
    return { position: this.publish('ConversationRead', { contactId, userId, messageId }, contact.members) };
  }

  events(userId: string, after: number, limit: number) {
    const mine = this.feed.filter((entry) => entry.position > after && entry.userIds.includes(userId));
    return {
      events: mine.slice(0, limit).map(({ type, position, data }) => ({ type, position, data })),
      hasMore: mine.length > limit,
    };
  }

  // meetings
  startMeeting(userId: string, contactId: string) {
    const contact = this.member(userId, contactId);
    const running = [...this.meetings.values()].find((m) => m.contactId === contactId);
    if (running) throw new Refusal(409, 'MEETING_IN_PROGRESS', 'A meeting is in progress', { meetingId: running.id });
    const meeting: StoredMeeting = {
      id: randomUUID(),
      contactId,
      state: 'ringing',
      startedBy: userId,
      invitees: contact.members.filter((id) => id !== userId),
      participants: [],
      ringUntil: new Date(Date.now() + this.options.ringMs).toISOString(),
      startedAt: this.now(),
      declined: [],
      seats: new Map(),
    };
    this.meetings.set(meeting.id, meeting);
    meeting.ringTimer = setTimeout(() => {
      if (this.meetings.get(meeting.id)?.state === 'ringing') this.endMeeting(meeting.id, 'missed');
    }, this.options.ringMs);
    const position = this.publish(
      'MeetingStarted',
      { meetingId: meeting.id, contactId, startedBy: userId, invitees: meeting.invitees, ringUntil: meeting.ringUntil },
      contact.members,
    );
    return { meeting: this.meetingView(meeting.id), position };
  }

  meetingView(meetingId: string): Meeting {
    const { id, contactId, state, startedBy, invitees, ringUntil, seats } = this.meetings.get(meetingId)!;
    return {
      id,
      contactId,
      state,
      startedBy,
      invitees,
      ringUntil,
      participants: [...seats.values()].map(({ userId, peerId }) => ({ userId, peerId })),
    };
  }

  meetingFor(userId: string, meetingId: string) {
    const meeting = this.meetings.get(meetingId);
    if (!meeting) throw new Refusal(404, 'MEETING_NOT_FOUND');
    this.member(userId, meeting.contactId);
    return meeting;
  }

  meetingsOf(userId: string) {
    return [...this.meetings.values()]
      .filter((m) => this.contacts.get(m.contactId)!.members.includes(userId))
      .map((m) => this.meetingView(m.id));
  }

  join(userId: string, meetingId: string, socketId: string) {
    const meeting = this.meetingFor(userId, meetingId);
    const members = this.contacts.get(meeting.contactId)!.members;
    let seat = [...meeting.seats.values()].find((s) => s.userId === userId);
    if (seat) {
      clearTimeout(seat.leaveTimer);
      seat.socketIds.add(socketId);
    } else {
      seat = { userId, peerId: randomUUID(), socketIds: new Set([socketId]) };
      meeting.seats.set(seat.peerId, seat);
      if (userId !== meeting.startedBy) {
        meeting.state = 'active';
        clearTimeout(meeting.ringTimer);
      }
      this.publish('ParticipantJoined', { meetingId, contactId: meeting.contactId, userId, peerId: seat.peerId }, members);
    }
    const participants = [...meeting.seats.values()].map(({ userId: u, peerId }) => ({ userId: u, peerId }));
    return { peerId: seat.peerId, participants };
  }

  leave(userId: string, meetingId: string, reason: 'left' | 'disconnected') {
    const meeting = this.meetings.get(meetingId);
    const seat = meeting && [...meeting.seats.values()].find((s) => s.userId === userId);
    if (!meeting || !seat) return;
    meeting.seats.delete(seat.peerId);
    const members = this.contacts.get(meeting.contactId)!.members;
    this.publish('ParticipantLeft', { meetingId, contactId: meeting.contactId, userId, peerId: seat.peerId, reason }, members);
    // The caller hanging up before an answer leaves a missed call.
    if (meeting.seats.size === 0) this.endMeeting(meetingId, meeting.state === 'ringing' ? 'missed' : 'empty');
  }

  /** A socket went away: its seats empty after the grace period unless the user rejoins. */
  socketGone(socketId: string) {
    for (const meeting of this.meetings.values()) {
      for (const seat of meeting.seats.values()) {
        if (!seat.socketIds.delete(socketId) || seat.socketIds.size > 0) continue;
        seat.leaveTimer = setTimeout(() => this.leave(seat.userId, meeting.id, 'disconnected'), this.options.graceMs);
      }
    }
  }

  decline(userId: string, meetingId: string) {
    const meeting = this.meetingFor(userId, meetingId);
    if (!meeting.invitees.includes(userId)) throw new Refusal(403, 'NOT_INVITED');
    meeting.declined.push(userId);
    const members = this.contacts.get(meeting.contactId)!.members;
    const position = this.publish('InvitationDeclined', { meetingId, contactId: meeting.contactId, userId }, members);
    if (meeting.invitees.every((id) => meeting.declined.includes(id))) this.endMeeting(meetingId, 'declined');
    return { position };
  }

  endMeeting(meetingId: string, reason: 'ended' | 'empty' | 'missed' | 'declined') {
    const meeting = this.meetings.get(meetingId);
    if (!meeting) return 0;
    clearTimeout(meeting.ringTimer);
    for (const seat of meeting.seats.values()) clearTimeout(seat.leaveTimer);
    this.meetings.delete(meetingId);
    const members = this.contacts.get(meeting.contactId)!.members;
    const answered = meeting.state === 'active';
    this.ended.unshift({
      meetingId,
      contactId: meeting.contactId,
      startedBy: meeting.startedBy,
      members,
      outcome: reason === 'declined' ? 'declined' : answered ? 'finished' : 'missed',
      startedAt: meeting.startedAt,
      endedAt: this.now(),
      answeredAt: answered ? meeting.startedAt : null,
    });
    return this.publish('MeetingEnded', { meetingId, contactId: meeting.contactId, reason }, members);
  }

  callsOf(userId: string): CallRecord[] {
    return this.ended
      .filter((call) => call.members.includes(userId))
      .map((call) => ({
        meetingId: call.meetingId,
        contactId: call.contactId,
        peer: this.public(call.members.find((id) => id !== userId)!),
        direction: call.startedBy === userId ? 'outgoing' : 'incoming',
        outcome: call.outcome,
        startedAt: call.startedAt,
        endedAt: call.endedAt,
        durationSeconds: call.answeredAt ? Math.round((Date.parse(call.endedAt) - Date.parse(call.answeredAt)) / 1000) : 0,
      }));
  }
}
