import { beforeEach, describe, expect, it } from 'vitest';
import { streams } from '../../domain/events.js';
import { InMemoryEventStore } from '../../infrastructure/event-store/in-memory-event-store.js';
import { AccountService } from '../accounts/account-service.js';
import type { NewEvent } from '../ports/event-store.js';
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
  const context = (userId: string | null) => ({ userId, correlationId: 'spec' });
  const [ana, ben, eve] = ['a0000000-0000-4000-8000-00000000000a', 'b0000000-0000-4000-8000-00000000000b', 'e0000000-0000-4000-8000-00000000000e'];
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
    contacts = new ContactService(store, accounts, { clock, ids });
    for (const [userId, username] of [[ana, 'ana'], [ben, 'ben'], [eve, 'eve']]) {
      await store.appendToStream(streams.username(username), [event('UsernameClaimed', { username, userId })]);
      await store.appendToStream(streams.account(userId), [event('AccountRegistered', { userId, username, displayName: username })]);
    }
  });

  const refusal = (promise: Promise<unknown>) => promise.then(() => null, (error: { code: string; message: string }) => ({ code: error.code, message: error.message }));

  it('adds a contact once, by username; never oneself, never a stranger nobody knows', async () => {
    const { contact } = await contacts.addContact(ana, 'ben', context(ana));
    expect(contact).toEqual({ id: directContactId(ana, ben), peer: { id: ben, username: 'ben', displayName: 'ben' } });
    expect(await refusal(contacts.addContact(ben, 'ana', context(ben)))).toMatchObject({ code: 'ALREADY_CONTACTS' });
    expect(await refusal(contacts.addContact(ana, 'ana', context(ana)))).toMatchObject({ code: 'CANNOT_ADD_SELF' });
    expect(await refusal(contacts.addContact(ana, 'nobody', context(ana)))).toMatchObject({ code: 'USER_NOT_FOUND' });
  });

  it('tells a stranger exactly what it tells anyone about a contact that does not exist', async () => {
    const { contact } = await contacts.addContact(ana, 'ben', context(ana));
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
    expect((await store.readStream(streams.contact(contact.id))).map((e) => e.type)).toEqual(['ContactAdded']);
  });

  it("lets only a message's sender edit or delete it, and takes a retried send once", async () => {
    const { contact } = await contacts.addContact(ana, 'ben', context(ana));
    const sent = await contacts.sendMessage(ana, contact.id, { id: ids.newId(), text: 'see you at 8' }, context(ana));
    const again = await contacts.sendMessage(ana, contact.id, { id: sent.messageId, text: 'see you at 8' }, context(ana));
    expect(again.duplicate).toBe(true);
    expect(await refusal(contacts.sendMessage(ben, contact.id, { id: sent.messageId, text: 'mine now' }, context(ben)))).toMatchObject({ code: 'MESSAGE_ID_CONFLICT' });
    expect(await refusal(contacts.editMessage(ben, contact.id, sent.messageId, 'I will pay you', context(ben)))).toMatchObject({ code: 'NOT_MESSAGE_SENDER' });
    expect(await refusal(contacts.deleteMessage(ben, contact.id, sent.messageId, context(ben)))).toMatchObject({ code: 'NOT_MESSAGE_SENDER' });
    await contacts.editMessage(ana, contact.id, sent.messageId, 'see you at 9', context(ana));
    expect((await store.readStream(streams.contact(contact.id))).map((e) => e.type)).toEqual(['ContactAdded', 'MessageSent', 'MessageEdited']);
  });
});
