import { beforeEach, describe, expect, it } from 'vitest';
import { streams } from '../../domain/events.js';
import { InMemoryEventStore } from '../../infrastructure/event-store/in-memory-event-store.js';
import { AccountService } from '../accounts/account-service.js';
import type { NewEvent } from '../ports/event-store.js';
import { BlockList } from './block-list.js';
import { directContactId } from './contact-id.js';
import { ContactService } from './contact-service.js';
import { GroupService } from './group-service.js';

/**
 * Who the contacts slice counts as a group's members (`membersFor`, used by typing, meetings, history and
 * files): the current members, on a node that has the group cached and on one that does not.
 */
describe('GroupService and membersFor', () => {
  let store: InMemoryEventStore;
  let n = 0;
  const ids = { newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` };
  const clock = { now: () => new Date('2026-12-01T10:00:00.000Z') };
  const context = (userId: string) => ({ userId, correlationId: 'spec' });
  const [ana, ben, cid, dan, eve] = ['a', 'b', 'c', 'd', 'e'].map((c) => `${c}0000000-0000-4000-8000-00000000000${c}`);
  const event = (type: string, data: unknown): NewEvent => ({
    id: ids.newId(),
    type,
    data,
    metadata: { userId: null, correlationId: 'spec', causationId: 'spec', timestamp: clock.now().toISOString() },
  });
  /** A node: its own services and caches over the shared store. */
  const node = () => {
    const accounts = new AccountService({ store, clock, ids } as unknown as ConstructorParameters<typeof AccountService>[0]);
    const contacts = new ContactService(store, accounts, new BlockList(store, { clock, ids }), { clock, ids, requestCooldownMs: 0 });
    return { contacts, groups: new GroupService(contacts, accounts, { ids }) };
  };
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => null,
      (error: { code: string }) => error.code,
    );

  beforeEach(async () => {
    store = new InMemoryEventStore();
    for (const peer of [ben, cid, dan]) {
      const contactId = directContactId(ana, peer);
      await store.appendToStream(streams.contact(contactId), [
        event('ContactAdded', { contactId, kind: 'direct', members: [ana, peer], addedBy: ana }),
      ]);
    }
  });

  it('answers the current members, in joining order, to members only, on any node', async () => {
    const { contacts, groups } = node();
    const { conversation } = await groups.createGroup(ana, { title: 'Climbing', memberIds: [ben, cid], membersMayAdd: true }, context(ana));
    await groups.addMembers(ana, conversation.id, [dan], context(ana));
    await groups.removeMember(ana, conversation.id, cid, context(ana));
    expect(await contacts.membersFor(dan, conversation.id)).toEqual([ana, ben, dan]);

    // Dan joined after the group's first event: a node without the group cached still knows him.
    const cold = node();
    expect(await cold.contacts.membersFor(dan, conversation.id)).toEqual([ana, ben, dan]);
    for (const outsider of [cid, eve]) {
      expect(await refusal(node().contacts.membersFor(outsider, conversation.id))).toBe('CONTACT_NOT_FOUND');
      expect(await refusal(contacts.membersFor(outsider, conversation.id))).toBe('CONTACT_NOT_FOUND');
    }
  });

  it('makes a new random id for every group', async () => {
    const { groups } = node();
    const first = await groups.createGroup(ana, { title: 'One', memberIds: [ben, cid], membersMayAdd: true }, context(ana));
    const second = await groups.createGroup(ana, { title: 'Two', memberIds: [ben, cid], membersMayAdd: true }, context(ana));
    expect(first.conversation.id).not.toBe(second.conversation.id);
  });
});
