import { dataOf, uuid, uuids } from '../event-fields.js';
import type { Fold } from '../fold.js';
import { isFeedSource, type FeedSourceEvent } from './feed-entry.js';

/** Who sees a contact's events: its members. */
export interface ContactMembers {
  contactId: string;
  members: readonly string[];
}

/**
 * The feed's own state: each contact's current members. A direct contact's are set by its first
 * `ContactRequested` or `ContactAdded` and never change; a group's by its `GroupCreated`, then its membership
 * events (docs/groups.md).
 */
export const feedMembersFold: Fold<ContactMembers, FeedSourceEvent> = {
  handles: isFeedSource,
  keyOf: (event) => uuid(event, dataOf(event).contactId, 'contactId'),
  evolve(doc, event) {
    switch (event.type) {
      case 'ContactAdded':
      case 'ContactRequested':
      case 'GroupCreated': {
        const members = uuids(event, event.data.members, 'members', event.type === 'GroupCreated' ? 1 : 2);
        // A contact's members are fixed by its first event: a later one naming others (only a corrupt log has
        // one) lets nobody else in, as in the contact list.
        return doc ?? { contactId: event.data.contactId, members: [...new Set(members)] };
      }
      case 'GroupMembersAdded': {
        const added = uuids(event, event.data.userIds, 'userIds', 1).filter((userId) => !doc?.members.includes(userId));
        return doc && added.length > 0 ? { ...doc, members: [...doc.members, ...new Set(added)] } : doc;
      }
      case 'GroupMemberRemoved':
      case 'GroupMemberLeft': {
        const userId = uuid(event, event.data.userId, 'userId');
        return doc?.members.includes(userId) ? { ...doc, members: doc.members.filter((m) => m !== userId) } : doc;
      }
      default:
        return doc;
    }
  },
};
