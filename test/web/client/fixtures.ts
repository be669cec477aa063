import type { Contact, FeedEvent, Message, User } from '../../../web/src/client/types.js';

export const alice: User = { id: 'u-alice', username: 'alice', displayName: 'Alice' };
export const bob: User = { id: 'u-bob', username: 'bob', displayName: 'Bob' };

export const message = (id: string, senderId: string, text = id, sentAt = '2024-05-01T10:00:00.000Z'): Message => ({
  id,
  contactId: 'c1',
  senderId,
  text,
  sentAt,
  editedAt: null,
  deleted: false,
});

export const contact = (overrides: Partial<Contact> = {}): Contact => ({
  id: 'c1',
  peer: bob,
  lastMessage: null,
  unreadCount: 0,
  lastActivityAt: '2024-05-01T09:00:00.000Z',
  peerLastReadMessageId: null,
  activeMeeting: null,
  peerOnline: false,
  ...overrides,
});

export const messageSent = (
  position: number,
  id: string,
  senderId: string,
  sentAt = '2024-05-01T10:00:00.000Z',
  contactId = 'c1',
): FeedEvent => ({
  type: 'MessageSent',
  position,
  data: { contactId, messageId: id, senderId, text: `text of ${id}`, sentAt },
});
