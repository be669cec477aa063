import { dataOf, uuid, uuids } from '../event-fields.js';
import type { Fold } from '../fold.js';
import { isFeedSource, type FeedSourceEvent } from './feed-entry.js';

/** Who sees a contact's events: its members. */
export interface ContactMembers {
  contactId: string;
  members: readonly string[];
}

/** The feed's own state: each contact's members, set by its first `ContactRequested` or `ContactAdded`. */
export const feedMembersFold: Fold<ContactMembers, FeedSourceEvent> = {
  handles: isFeedSource,
  keyOf: (event) => uuid(event, dataOf(event).contactId, 'contactId'),
  evolve(doc, event) {
    if (event.type !== 'ContactAdded' && event.type !== 'ContactRequested') return doc;
    const members = uuids(event, event.data.members, 'members', 2);
    // A contact's members are fixed by its first event: a later one naming others (only a corrupt log has
    // one) lets nobody else in, as in the contact list.
    return doc ?? { contactId: event.data.contactId, members: [...new Set(members)] };
  },
};
