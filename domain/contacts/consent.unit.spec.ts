import { describe, expect, it } from 'vitest';
import { DeciderSpecification } from '../../test/support/decider-specification.js';
import { blockListDecider } from './block-list.js';
import { contactDecider, type ContactCommand } from './contact.js';
import type {
  ContactAdded,
  ContactEvent,
  ContactRemoved,
  ContactRequestCancelled,
  ContactRequestDeclined,
  ContactRequested,
} from './events.js';

/** Issue 17: a request between a stranger and your inbox; remove, block, cooling-off. */
const spec = DeciderSpecification.for(contactDecider);

const contactId = 'contact-1';
const ada = 'ada';
const bob = 'bob';
const DAY = 24 * 3600_000;
const T0 = '2026-12-01T10:00:00.000Z';
const later = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();

const request = (requestedBy: string, options: { at?: string; message?: string | null; blocked?: boolean } = {}): ContactCommand => ({
  type: 'RequestContact',
  data: {
    contactId,
    members: requestedBy === ada ? [ada, bob] : [bob, ada],
    requestedBy,
    message: options.message ?? null,
    at: options.at ?? T0,
    cooldownMs: DAY,
    blockedByRecipient: options.blocked ?? false,
  },
});
const accept = (userId: string): ContactCommand => ({ type: 'AcceptContactRequest', data: { contactId, userId } });
const decline = (userId: string, at = T0): ContactCommand => ({ type: 'DeclineContactRequest', data: { contactId, userId, at } });
const end = (userId: string): ContactCommand => ({ type: 'EndContact', data: { contactId, userId } });
const endForBlock = (userId: string): ContactCommand => ({ type: 'EndContactForBlock', data: { contactId, userId, at: T0 } });

const requested = (requestedBy: string, options: { message?: string | null; silenced?: boolean } = {}): ContactRequested => ({
  type: 'ContactRequested',
  data: {
    contactId,
    kind: 'direct',
    members: requestedBy === ada ? [ada, bob] : [bob, ada],
    requestedBy,
    recipientId: requestedBy === ada ? bob : ada,
    message: options.message ?? null,
    silenced: options.silenced ?? false,
  },
});
const added = (addedBy: string, members = [ada, bob]): ContactAdded => ({
  type: 'ContactAdded',
  data: { contactId, kind: 'direct', members, addedBy },
});
const declined = (declinedBy: string, declinedAt = T0): ContactRequestDeclined => ({
  type: 'ContactRequestDeclined',
  data: { contactId, declinedBy, declinedAt },
});
const cancelled = (cancelledBy: string, seenByRecipient: boolean): ContactRequestCancelled => ({
  type: 'ContactRequestCancelled',
  data: { contactId, cancelledBy, seenByRecipient },
});
const removed = (removedBy: string, reason: 'removed' | 'blocked' = 'removed'): ContactRemoved => ({
  type: 'ContactRemoved',
  data: { contactId, removedBy, reason },
});
const sent = (messageId: string, senderId: string): ContactEvent => ({
  type: 'MessageSent',
  data: { contactId, messageId, senderId, text: 'hi' },
});

describe('requesting a contact', () => {
  it('asks the other side; the first message travels with the request', () => {
    spec
      .given([])
      .when(request(ada, { message: 'Hello, we met at the conference' }))
      .then([requested(ada, { message: 'Hello, we met at the conference' })]);
  });

  it('allows a first message of 500 characters, not 501, nor only whitespace', () => {
    const longest = '🙂'.repeat(500);
    spec
      .given([])
      .when(request(ada, { message: longest }))
      .then([requested(ada, { message: longest })]);
    spec
      .given([])
      .when(request(ada, { message: 'x'.repeat(501) }))
      .thenThrows('INVALID_MESSAGE_TEXT');
    spec
      .given([])
      .when(request(ada, { message: '  ' }))
      .thenThrows('INVALID_MESSAGE_TEXT');
  });

  it('treats a repeat of a pending request as a no-op', () => {
    spec
      .given([requested(ada)])
      .when(request(ada, { message: 'again' }))
      .then([]);
  });

  it('makes crossing requests a contact at once: the second requester accepts the first', () => {
    spec
      .given([requested(ada)])
      .when(request(bob))
      .then([added(bob)]);
  });

  it('refuses a request between accepted contacts, whoever asks', () => {
    spec
      .given([requested(ada), added(bob)])
      .when(request(ada))
      .thenThrows('ALREADY_CONTACTS');
    spec
      .given([requested(ada), added(bob)])
      .when(request(bob))
      .thenThrows('ALREADY_CONTACTS');
  });

  it('silences the request of someone the recipient has blocked', () => {
    spec
      .given([])
      .when(request(ada, { blocked: true }))
      .then([requested(ada, { silenced: true })]);
  });
});

describe('accepting and declining', () => {
  it('lets the recipient accept', () => {
    spec
      .given([requested(ada)])
      .when(accept(bob))
      .then([added(bob)]);
  });

  it('lets the recipient decline, at the time the handler gives', () => {
    spec
      .given([requested(ada)])
      .when(decline(bob, later(5)))
      .then([declined(bob, later(5))]);
  });

  it.each([
    ['the requester', [requested(ada)], ada],
    ['anyone, when there is no request', [], bob],
    ['the recipient of a silenced request (they never saw it)', [requested(ada, { silenced: true })], bob],
    ['the recipient, once declined', [requested(ada), declined(bob)], bob],
    ['the recipient, once cancelled', [requested(ada), cancelled(ada, true)], bob],
    ['a contact already accepted', [requested(ada), added(bob)], bob],
  ] as Array<[string, ContactEvent[], string]>)('answers %s CONTACT_NOT_FOUND', (_case, given, userId) => {
    spec.given(given).when(accept(userId)).thenThrows('CONTACT_NOT_FOUND');
    spec.given(given).when(decline(userId)).thenThrows('CONTACT_NOT_FOUND');
  });

  it('answers a stranger NOT_A_MEMBER (hidden as not found at the edge)', () => {
    spec
      .given([requested(ada)])
      .when(accept('eve'))
      .thenThrows('NOT_A_MEMBER');
  });
});

describe('cooling-off after a decline', () => {
  const wasDeclined = [requested(ada), declined(bob)];

  it('leaves the requester believing the request is pending: a repeat is a no-op', () => {
    spec
      .given(wasDeclined)
      .when(request(ada, { at: later(DAY - 1) }))
      .then([]);
  });

  it('silences a new request made inside the period (after cancelling the declined one)', () => {
    spec
      .given([...wasDeclined, cancelled(ada, false)])
      .when(request(ada, { at: later(DAY - 1) }))
      .then([requested(ada, { silenced: true })]);
  });

  it('lets a new request through once the period has passed', () => {
    spec
      .given(wasDeclined)
      .when(request(ada, { at: later(DAY) }))
      .then([requested(ada)]);
    spec
      .given([...wasDeclined, cancelled(ada, false)])
      .when(request(ada, { at: later(DAY) }))
      .then([requested(ada)]);
  });

  it('does not hold the decliner back: their own request makes the contact (the requester still wants it)', () => {
    spec
      .given(wasDeclined)
      .when(request(bob, { at: later(1) }))
      .then([added(bob)]);
  });

  it('is forgotten once they become contacts', () => {
    spec
      .given([...wasDeclined, added(bob), removed(bob)])
      .when(request(ada, { at: later(1) }))
      .then([requested(ada)]);
  });
});

describe('cancelling and removing (DELETE /api/contacts/:id)', () => {
  it("cancels the caller's pending request, telling the feed whether the recipient saw it", () => {
    spec
      .given([requested(ada)])
      .when(end(ada))
      .then([cancelled(ada, true)]);
    spec
      .given([requested(ada, { silenced: true })])
      .when(end(ada))
      .then([cancelled(ada, false)]);
    spec
      .given([requested(ada), declined(bob)])
      .when(end(ada))
      .then([cancelled(ada, false)]);
  });

  it('removes an accepted contact, whichever member asks', () => {
    spec
      .given([requested(ada), added(bob)])
      .when(end(ada))
      .then([removed(ada)]);
    spec
      .given([added(ada)])
      .when(end(bob))
      .then([removed(bob)]);
  });

  it('answers the recipient of a request, or a pair with nothing between them, CONTACT_NOT_FOUND', () => {
    spec
      .given([requested(ada)])
      .when(end(bob))
      .thenThrows('CONTACT_NOT_FOUND');
    spec.given([]).when(end(bob)).thenThrows('CONTACT_NOT_FOUND');
    spec
      .given([added(ada), removed(ada)])
      .when(end(bob))
      .thenThrows('CONTACT_NOT_FOUND');
  });
});

describe('re-adding after a removal', () => {
  const history = [requested(ada), added(bob), sent('m1', ada), sent('m2', bob), removed(bob)];

  it('is a new request, and its acceptance brings the history back', () => {
    spec
      .given(history)
      .when(request(ada))
      .then([requested(ada)]);
    spec
      .given([...history, requested(ada), added(bob)])
      .when({ type: 'SendMessage', data: { contactId, messageId: 'm1', senderId: ada, text: 'hi' } })
      .then([]);
    spec
      .given([...history, requested(ada), added(bob)])
      .when({ type: 'MarkConversationRead', data: { contactId, userId: ada, messageId: 'm2' } })
      .then([{ type: 'ConversationRead', data: { contactId, userId: ada, messageId: 'm2' } }]);
  });
});

describe('blocking (EndContactForBlock, issued by the block handler)', () => {
  it('ends an accepted contact with reason blocked', () => {
    spec
      .given([requested(ada), added(bob)])
      .when(endForBlock(bob))
      .then([removed(bob, 'blocked')]);
  });

  it('declines a pending request from the blocked user: it leaves the blocker\'s list, still "sent" for them', () => {
    spec
      .given([requested(ada)])
      .when(endForBlock(bob))
      .then([declined(bob)]);
  });

  it("cancels the blocker's own pending request", () => {
    spec
      .given([requested(bob)])
      .when(endForBlock(bob))
      .then([cancelled(bob, true)]);
  });

  it('changes nothing when there is nothing between them', () => {
    spec.given([]).when(endForBlock(bob)).then([]);
    spec
      .given([requested(ada, { silenced: true })])
      .when(endForBlock(bob))
      .then([]);
    spec
      .given([requested(ada), declined(bob)])
      .when(endForBlock(bob))
      .then([]);
    spec
      .given([added(ada), removed(ada)])
      .when(endForBlock(bob))
      .then([]);
  });
});

describe('the block list', () => {
  const blocks = DeciderSpecification.for(blockListDecider);
  const block = (blockedId: string) => ({ type: 'BlockUser' as const, data: { blockerId: ada, blockedId, at: T0 } });
  const unblock = (blockedId: string) => ({ type: 'UnblockUser' as const, data: { blockerId: ada, blockedId } });
  const blockedEvent = { type: 'UserBlocked' as const, data: { blockerId: ada, blockedId: bob, blockedAt: T0 } };

  it('blocks and unblocks, each once', () => {
    blocks.given([]).when(block(bob)).then([blockedEvent]);
    blocks.given([blockedEvent]).when(block(bob)).then([]);
    blocks
      .given([blockedEvent])
      .when(unblock(bob))
      .then([{ type: 'UserUnblocked', data: { blockerId: ada, blockedId: bob } }]);
    blocks.given([]).when(unblock(bob)).then([]);
  });

  it('refuses to block yourself', () => {
    blocks.given([]).when(block(ada)).thenThrows('CANNOT_BLOCK_SELF');
  });

  it('remembers when each block was made', () => {
    const state = blockListDecider.evolve(blockListDecider.initialState(), blockedEvent);
    expect(state.blocked.get(bob)).toBe(T0);
  });
});

describe('an old-style log (ContactAdded alone)', () => {
  it('is an accepted contact: members may talk, a request is refused as already contacts', () => {
    spec
      .given([added(ada)])
      .when({ type: 'SendMessage', data: { contactId, messageId: 'm1', senderId: bob, text: 'hi' } })
      .then([sent('m1', bob)]);
    spec
      .given([added(ada)])
      .when(request(bob))
      .thenThrows('ALREADY_CONTACTS');
  });
});
