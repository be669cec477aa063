import { describe, expect, it } from 'vitest';
import { ContactListSync } from '../../../web/src/client/sync/contact-list-sync.js';
import {
  applyToContacts,
  contactsEndedBy,
  emptyContacts,
  incomingRequests,
  withServerList,
  type ContactsState,
  type ServerContactList,
} from '../../../web/src/client/state/contacts-state.js';
import type { ContactRequest, FeedEvent } from '../../../web/src/client/types.js';
import { alice, bob, contact, messageSent } from './fixtures.js';

const carol = { id: 'u-carol', username: 'carol', displayName: 'Carol' };

const request = (overrides: Partial<ContactRequest> = {}): ContactRequest => ({
  id: 'r1',
  peer: { id: carol.id, username: 'carol' },
  direction: 'incoming',
  message: 'Hi, we met at the conference',
  requestedAt: '2024-05-01T10:00:00.000Z',
  ...overrides,
});

const ctx = { me: alice, openContactId: null };
const at = '2024-05-01T11:00:00.000Z';

describe('contact list with requests', () => {
  const state = (): ContactsState => ({
    contacts: [contact(), contact({ id: 'c2', peer: carol, lastActivityAt: '2024-05-01T08:00:00.000Z' })],
    requests: [request(), request({ id: 'r2', peer: { id: 'u-dan', username: 'dan' }, direction: 'outgoing', message: null })],
    presence: {},
    groups: [],
  });

  it('takes who is a contact and which requests are pending from the server: those to answer first, newest first', () => {
    const next = withServerList(emptyContacts, {
      contacts: [contact()],
      requests: [
        request({ id: 'sent', direction: 'outgoing', requestedAt: '2024-05-01T12:00:00.000Z' }),
        request({ id: 'old', requestedAt: '2024-05-01T09:00:00.000Z' }),
        request({ id: 'new' }),
      ],
    });
    expect(next.contacts.map((c) => c.id)).toEqual(['c1']);
    expect(next.requests.map((r) => r.id)).toEqual(['new', 'old', 'sent']);
    expect(incomingRequests(next).map((r) => r.id)).toEqual(['new', 'old']);
  });

  it('keeps the rows it shows (kept current by live events) and drops those the server no longer lists', () => {
    const live = applyToContacts(state(), messageSent(5, 'm9', bob.id), ctx);
    const stale = contact({ unreadCount: 0, lastMessage: null });
    const next = withServerList(live, { contacts: [stale, contact({ id: 'c3', peer: { ...carol, id: 'u-erin' } })], requests: [] });
    expect(next.contacts.map((c) => c.id)).toEqual(['c1', 'c3']);
    expect(next.contacts[0]).toMatchObject({ unreadCount: 1, lastMessage: { id: 'm9' } });
    expect(next.requests).toEqual([]);
  });

  it('ends at once what an event ends: a removed contact, an answered or cancelled request, everything with a blocked user', () => {
    const removed = applyToContacts(state(), { type: 'ContactRemoved', position: 1, data: { contactId: 'c1', removedAt: at } }, ctx);
    expect(removed.contacts.map((c) => c.id)).toEqual(['c2']);

    const declined = applyToContacts(
      state(),
      { type: 'ContactRequestDeclined', position: 2, data: { contactId: 'r1', declinedAt: at } },
      ctx,
    );
    expect(declined.requests.map((r) => r.id)).toEqual(['r2']);
    const cancelled = applyToContacts(
      state(),
      { type: 'ContactRequestCancelled', position: 3, data: { contactId: 'r2', cancelledAt: at } },
      ctx,
    );
    expect(cancelled.requests.map((r) => r.id)).toEqual(['r1']);

    const accepted = applyToContacts(
      state(),
      {
        type: 'ContactAdded',
        position: 4,
        data: { contactId: 'r1', kind: 'direct', members: [alice.id, carol.id], addedBy: alice.id, addedAt: at },
      },
      ctx,
    );
    expect(accepted.requests.map((r) => r.id)).toEqual(['r2']);

    // Carol is both a contact (c2) and a requester (r1).
    const blocked = applyToContacts(state(), { type: 'UserBlocked', position: 5, data: { userId: carol.id, blockedAt: at } }, ctx);
    expect(blocked.contacts.map((c) => c.id)).toEqual(['c1']);
    expect(blocked.requests.map((r) => r.id)).toEqual(['r2']);
  });

  it('a new request changes nothing until the server list, which knows the peer, arrives', () => {
    const event: FeedEvent = {
      type: 'ContactRequested',
      position: 6,
      data: { contactId: 'r9', requestedBy: 'u-zoe', recipientId: alice.id, message: 'hey', requestedAt: at },
    };
    const before = state();
    expect(applyToContacts(before, event, ctx)).toBe(before);
  });

  it('names the contacts an event ends, so their conversation and call can close', () => {
    expect(
      contactsEndedBy(state(), { type: 'ContactRemoved', position: 1, data: { contactId: 'c2', removedAt: at } }).map((c) => c.id),
    ).toEqual(['c2']);
    expect(
      contactsEndedBy(state(), { type: 'UserBlocked', position: 2, data: { userId: bob.id, blockedAt: at } }).map((c) => c.id),
    ).toEqual(['c1']);
    expect(contactsEndedBy(state(), { type: 'ContactRequestDeclined', position: 3, data: { contactId: 'r1', declinedAt: at } })).toEqual(
      [],
    );
  });
});

/** A list read that the test answers by hand. */
function manualLoads() {
  const calls: Array<{ minPosition: number; resolve: (list: ServerContactList) => void; reject: (error: Error) => void }> = [];
  const load = (minPosition: number) => new Promise<ServerContactList>((resolve, reject) => calls.push({ minPosition, resolve, reject }));
  return { calls, load };
}

const list = (...ids: string[]): ServerContactList => ({ contacts: ids.map((id) => contact({ id })), requests: [] });
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('reading the contact list again after membership events', () => {
  it('reads one at a time; events during a read ask for one more at the newest position, and the older answer is dropped', async () => {
    const { calls, load } = manualLoads();
    const applied: ServerContactList[] = [];
    const sync = new ContactListSync(load, (l) => applied.push(l));
    const first = sync.refresh(5);
    const second = sync.refresh(7);
    const third = sync.refresh(6);
    expect(calls.map((c) => c.minPosition)).toEqual([5]);
    calls[0].resolve(list('stale'));
    await flush();
    expect(calls.map((c) => c.minPosition)).toEqual([5, 7]);
    expect(applied).toEqual([]);
    calls[1].resolve(list('current'));
    await Promise.all([first, second, third]);
    expect(applied).toEqual([list('current')]);
  });

  it('a failed read rejects, and the next refresh reads at least the position that failed', async () => {
    const { calls, load } = manualLoads();
    const applied: ServerContactList[] = [];
    const sync = new ContactListSync(load, (l) => applied.push(l));
    const failing = sync.refresh(9);
    calls[0].reject(new Error('503'));
    await expect(failing).rejects.toThrow('503');
    const retry = sync.refresh(0);
    expect(calls[1].minPosition).toBe(9);
    calls[1].resolve(list('c1'));
    await retry;
    expect(applied).toEqual([list('c1')]);
  });

  it('drops the answer of a read started before a sign-out', async () => {
    const { calls, load } = manualLoads();
    const applied: ServerContactList[] = [];
    const sync = new ContactListSync(load, (l) => applied.push(l));
    const before = sync.refresh(3);
    sync.reset();
    const after = sync.refresh(1);
    calls[0].resolve(list('previous user'));
    calls[1].resolve(list('next user'));
    await Promise.all([before, after]);
    expect(applied).toEqual([list('next user')]);
  });
});
