import { beforeEach, describe, expect, it } from 'vitest';
import { streams } from '../../domain/events.js';
import { InMemoryEventStore } from '../../infrastructure/event-store/in-memory-event-store.js';
import { AccountService } from '../accounts/account-service.js';
import type { NewEvent } from '../ports/event-store.js';
import { BlockList } from './block-list.js';
import { ContactService } from './contact-service.js';
import { directContactId } from './contact-id.js';

/**
 * The contacts slice's rules above the decider, on the in-memory event store: who may do what, and what a
 * stranger learns (nothing). Fast specs; the PostgreSQL adapter is proven by the integration tests.
 */
describe('ContactService', () => {
  let store: InMemoryEventStore;
  let contacts: ContactService;
  let n = 0;
  const ids = { newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` };
  const clock = { now: () => new Date('2026-12-01T10:00:00.000Z') };
  const DAY = 86_400_000;
  const context = (userId: string | null) => ({ userId, correlationId: 'spec' });
  const [ana, ben, eve] = [
    'a0000000-0000-4000-8000-00000000000a',
    'b0000000-0000-4000-8000-00000000000b',
    'e0000000-0000-4000-8000-00000000000e',
  ];
  const event = (type: string, data: unknown): NewEvent => ({
    id: ids.newId(),
    type,
    data,
    metadata: { userId: null, correlationId: 'spec', causationId: 'spec', timestamp: clock.now().toISOString() },
  });

  beforeEach(async () => {
    store = new InMemoryEventStore();
    // Only the streams this slice reads; the sign-up's ports are not what these specs are about.
    const accounts = new AccountService({ store, clock, ids } as unknown as ConstructorParameters<typeof AccountService>[0]);
    contacts = new ContactService(store, accounts, new BlockList(store, { clock, ids }), { clock, ids, requestCooldownMs: DAY });
    for (const [userId, username] of [
      [ana, 'ana'],
      [ben, 'ben'],
      [eve, 'eve'],
    ]) {
      await store.appendToStream(streams.username(username), [event('UsernameClaimed', { username, userId })]);
      await store.appendToStream(streams.account(userId), [event('AccountRegistered', { userId, username, displayName: username })]);
    }
  });

  /** A request and its acceptance: an accepted contact. */
  const befriend = async (userId: string, peerName: string, peerId: string) => {
    const { contact } = await contacts.requestContact(userId, peerName, null, context(userId));
    return contacts.acceptRequest(peerId, contact.id, context(peerId));
  };
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => null,
      (error: { code: string; message: string }) => ({ code: error.code, message: error.message }),
    );

  it('requests a contact by username, accepted by the other side; never oneself, never a stranger nobody knows', async () => {
    const { contact } = await contacts.requestContact(ana, 'ben', 'hi, it is Ana', context(ana));
    expect(contact).toEqual({ id: directContactId(ana, ben), peer: { id: ben, username: 'ben', displayName: 'ben' }, status: 'pending' });
    const accepted = await contacts.acceptRequest(ben, contact.id, context(ben));
    expect(accepted.contact).toEqual({ id: contact.id, peer: { id: ana, username: 'ana', displayName: 'ana' }, status: 'accepted' });
    expect(await refusal(contacts.requestContact(ben, 'ana', null, context(ben)))).toMatchObject({ code: 'ALREADY_CONTACTS' });
    expect(await refusal(contacts.requestContact(ana, 'ana', null, context(ana)))).toMatchObject({ code: 'CANNOT_ADD_SELF' });
    expect(await refusal(contacts.requestContact(ana, 'nobody', null, context(ana)))).toMatchObject({ code: 'USER_NOT_FOUND' });
  });

  it('makes crossing requests a contact at once', async () => {
    await contacts.requestContact(ana, 'ben', null, context(ana));
    const second = await contacts.requestContact(ben, 'ana', null, context(ben));
    expect(second.contact.status).toBe('accepted');
    expect(await contacts.membersFor(ana, second.contact.id)).toEqual([ana, ben]);
  });

  it('answers a blocked requester exactly as anyone else, and the blocker never sees the request', async () => {
    await contacts.block(ben, ana, context(ben));
    const blockedAsks = await contacts.requestContact(ana, 'ben', null, context(ana));
    const { contact: other } = await contacts.requestContact(eve, 'ben', null, context(eve));
    expect(blockedAsks.contact).toEqual({ ...other, id: blockedAsks.contact.id, peer: other.peer });
    expect(await refusal(contacts.acceptRequest(ben, blockedAsks.contact.id, context(ben)))).toMatchObject({ code: 'CONTACT_NOT_FOUND' });
    const [requested] = await store.readStream(streams.contact(blockedAsks.contact.id));
    expect(requested.data).toMatchObject({ silenced: true });
  });

  it('silences a new request inside the cooling-off after a decline', async () => {
    const { contact } = await contacts.requestContact(ana, 'ben', null, context(ana));
    await contacts.declineRequest(ben, contact.id, context(ben));
    expect((await contacts.requestContact(ana, 'ben', null, context(ana))).contact.status).toBe('pending');
    await contacts.removeContact(ana, contact.id, context(ana)); // cancels what ana still sees as sent
    await contacts.requestContact(ana, 'ben', null, context(ana));
    const types = (await store.readStream(streams.contact(contact.id))).map((e) => [e.type, (e.data as { silenced?: boolean }).silenced]);
    expect(types).toEqual([
      ['ContactRequested', false],
      ['ContactRequestDeclined', undefined],
      ['ContactRequestCancelled', undefined],
      ['ContactRequested', true],
    ]);
  });

  it('blocking ends the contact and any request, both ways; unblocking does not bring it back', async () => {
    const { contact } = await befriend(ana, 'ben', ben);
    await contacts.block(ben, ana, context(ben));
    expect(await refusal(contacts.membersFor(ana, contact.id))).toMatchObject({ code: 'CONTACT_NOT_FOUND' });
    expect(await refusal(contacts.sendMessage(ana, contact.id, { text: 'hello?' }, context(ana)))).toMatchObject({
      code: 'CONTACT_NOT_FOUND',
    });
    await contacts.unblock(ben, ana, context(ben));
    expect(await refusal(contacts.membersFor(ben, contact.id))).toMatchObject({ code: 'CONTACT_NOT_FOUND' });
    const ended = (await store.readStream(streams.contact(contact.id))).at(-1)!;
    expect(ended).toMatchObject({ type: 'ContactRemoved', data: { removedBy: ben, reason: 'blocked' } });

    const { contact: pending } = await contacts.requestContact(eve, 'ana', null, context(eve));
    await contacts.block(ana, eve, context(ana));
    expect(await refusal(contacts.acceptRequest(ana, pending.id, context(ana)))).toMatchObject({ code: 'CONTACT_NOT_FOUND' });
    expect(await refusal(contacts.block(ana, ana, context(ana)))).toMatchObject({ code: 'CANNOT_BLOCK_SELF' });
    expect(await refusal(contacts.block(ana, ids.newId(), context(ana)))).toMatchObject({ code: 'USER_NOT_FOUND' });
  });

  it('removing a contact keeps the history, which comes back when they are contacts again', async () => {
    const { contact } = await befriend(ana, 'ben', ben);
    const sent = await contacts.sendMessage(ana, contact.id, { text: 'before' }, context(ana));
    await contacts.removeContact(ben, contact.id, context(ben));
    expect(await refusal(contacts.markRead(ben, contact.id, sent.messageId, context(ben)))).toMatchObject({ code: 'CONTACT_NOT_FOUND' });
    await befriend(ben, 'ana', ana);
    await contacts.markRead(ben, contact.id, sent.messageId, context(ben));
    expect((await contacts.sendMessage(ana, contact.id, { id: sent.messageId, text: 'before' }, context(ana))).duplicate).toBe(true);
  });

  it('tells a stranger exactly what it tells anyone about a contact that does not exist', async () => {
    const { contact } = await befriend(ana, 'ben', ben);
    const nobodys = directContactId(ben, eve);
    for (const attempt of [
      (contactId: string) => contacts.sendMessage(eve, contactId, { text: 'hi' }, context(eve)),
      (contactId: string) => contacts.markRead(eve, contactId, ids.newId(), context(eve)),
      (contactId: string) => contacts.membersFor(eve, contactId),
    ]) {
      const intoTheirs = await refusal(attempt(contact.id));
      expect(intoTheirs).toEqual({ code: 'CONTACT_NOT_FOUND', message: 'No such contact' });
      expect(await refusal(attempt(nobodys))).toEqual(intoTheirs);
    }
    expect((await store.readStream(streams.contact(contact.id))).map((e) => e.type)).toEqual(['ContactRequested', 'ContactAdded']);
  });

  it("lets only a message's sender edit or delete it, and takes a retried send once", async () => {
    const { contact } = await befriend(ana, 'ben', ben);
    const sent = await contacts.sendMessage(ana, contact.id, { id: ids.newId(), text: 'see you at 8' }, context(ana));
    const again = await contacts.sendMessage(ana, contact.id, { id: sent.messageId, text: 'see you at 8' }, context(ana));
    expect(again.duplicate).toBe(true);
    expect(await refusal(contacts.sendMessage(ben, contact.id, { id: sent.messageId, text: 'mine now' }, context(ben)))).toMatchObject({
      code: 'MESSAGE_ID_CONFLICT',
    });
    expect(await refusal(contacts.editMessage(ben, contact.id, sent.messageId, 'I will pay you', context(ben)))).toMatchObject({
      code: 'NOT_MESSAGE_SENDER',
    });
    expect(await refusal(contacts.deleteMessage(ben, contact.id, sent.messageId, context(ben)))).toMatchObject({
      code: 'NOT_MESSAGE_SENDER',
    });
    await contacts.editMessage(ana, contact.id, sent.messageId, 'see you at 9', context(ana));
    expect((await store.readStream(streams.contact(contact.id))).map((e) => e.type)).toEqual([
      'ContactRequested',
      'ContactAdded',
      'MessageSent',
      'MessageEdited',
    ]);
  });
});
