/** The shapes the Derbel API answers with (see issues 2 and 3). */
export type User = { id: string; username: string; displayName: string };

/** A file sent with a message (metadata; the bytes are at `GET /api/attachments/:id`). */
export type Attachment = { id: string; name: string; size: number; contentType: string; width?: number; height?: number };

export type Message = {
  id: string;
  contactId: string;
  senderId: string;
  text: string;
  sentAt: string;
  editedAt: string | null;
  deleted: boolean;
  /** Absent or empty: no files. */
  attachments?: Attachment[];
  /** Absent or empty: none. Each emoji in the order it first came, users in the order they reacted. */
  reactions?: Reaction[];
  /** The message this one answers, as the server quotes it (history, the answer to a send); null or absent: none. */
  replyTo?: ReplyQuote | null;
  /** The answered message's id when only that is known (a reply pushed by the feed). */
  replyToId?: string;
};

/** One emoji's reactions on a message (docs/replies-and-reactions.md). */
export type Reaction = { emoji: string; count: number; userIds: string[] };

/** A reply's quote of its original: the sender and first line, or `text` null once deleted. */
export type ReplyQuote = { id: string; senderId: string; text: string | null; deleted: boolean };

/** A search hit (`GET /api/search`): the snippet is plain text, `highlights` are `[start, end)` UTF-16 offsets into it. */
export type SearchResult = {
  conversationId: string;
  message: { id: string; senderId: string; text: string; sentAt: string; editedAt: string | null };
  snippet: { text: string; highlights: Array<[number, number]> };
};

/** One page of search results; `next` is passed back as `cursor` for the following page (null on the last). */
export type SearchPage = { results: SearchResult[]; next: string | null };

export type MeetingState = 'ringing' | 'active';

/** `startedBy` is known when the client saw the start itself. */
export type ActiveMeetingRef = { id: string; state: MeetingState; startedBy?: string };

export type Contact = {
  id: string;
  peer: User;
  lastMessage: Message | null;
  unreadCount: number;
  lastActivityAt: string;
  peerLastReadMessageId: string | null;
  activeMeeting: ActiveMeetingRef | null;
  peerOnline: boolean;
};

/** A pending request (`GET /api/contacts` → `requests`); a declined one still shows as outgoing to its requester. */
export type ContactRequest = {
  id: string;
  peer: { id: string; username: string; displayName?: string };
  direction: 'incoming' | 'outgoing';
  message: string | null;
  requestedAt: string;
};

/** Someone the user blocked (`GET /api/blocks`). */
export type BlockedUser = { user: { id: string; username: string; displayName?: string }; blockedAt: string };

export type Participant = { userId: string; peerId: string };

export type Meeting = {
  id: string;
  contactId: string;
  state: MeetingState;
  startedBy: string;
  invitees: string[];
  participants: Participant[];
  ringUntil: string;
  /** Client-side, from the feed: everyone who joined it at some point (a group call stops ringing them). */
  joinedOnce?: string[];
};

export type MeetingEndReason = 'ended' | 'empty' | 'missed' | 'declined';

export type CallRecord = {
  meetingId: string;
  contactId: string;
  peer: User;
  direction: 'incoming' | 'outgoing';
  outcome: 'missed' | 'declined' | 'finished';
  startedAt: string;
  endedAt: string;
  durationSeconds: number;
};

/**
 * Events of the user's feed: they carry a global position and can be fetched again. The server's wire
 * contract, shared as types (the server builds each entry with `toFeedData`).
 */
import type { FeedEventData as ServerFeedEventData } from '../../../projections/feed/feed-wire.js';

/** The server's feed types (group events included). */
export type FeedEventData = ServerFeedEventData;

/** Events pushed live only: no position, never replayed. */
export type EphemeralEventData = {
  Typing: { contactId: string; userId: string };
  PresenceChanged: { userId: string; online: boolean };
  /** Several contacts' presence changed at once (a reconnect storm is announced in batches). */
  PresenceChanges: { changes: Array<{ userId: string; online: boolean }> };
  /** `peerId` and `sharing` are absent from servers older than group calls. */
  ParticipantMediaChanged: { meetingId: string; userId: string; peerId?: string; audio: boolean; video: boolean; sharing?: boolean };
  /** Some pushes may have been lost although the socket stayed up (failover): catch up. */
  FeedResync: { reason: string };
};

export type FeedEventType = keyof FeedEventData;
export type EphemeralEventType = keyof EphemeralEventData;

export type FeedEvent = {
  [T in FeedEventType]: { type: T; position: number; data: FeedEventData[T] };
}[FeedEventType];

export type EphemeralEvent = {
  [T in EphemeralEventType]: { type: T; position?: undefined; data: EphemeralEventData[T] };
}[EphemeralEventType];

export type ServerEvent = FeedEvent | EphemeralEvent;

/**
 * What peers send each other through the server. `link` names the sender's connection attempt and
 * `target` the receiver's one it answers (null before it knows), so a signal from or for a
 * connection that a reload replaced is recognised and dropped.
 */
export type SignalData = { link: string; target?: string | null } & (
  { description: RTCSessionDescriptionInit } | { candidate: RTCIceCandidateInit | null }
);

export type IncomingSignal = { meetingId: string; from: string; fromUserId: string; data: SignalData };

export type JoinAck = { ok: true; peerId: string; participants: Participant[] } | { ok: false; code: string };

/** `iceTransportPolicy` is absent from servers older than it: then `all`. */
export type IceServersResponse = { iceServers: RTCIceServer[]; ttl: number; iceTransportPolicy?: RTCIceTransportPolicy };
