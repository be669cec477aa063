import { dataOf, uuid, uuids } from '../event-fields.js';
import type { Fold } from '../fold.js';
import { isFeedSource, type FeedSourceEvent } from './feed-entry.js';

/** Who sees a contact's events: its members. */
export interface ContactMembers {
  contactId: string;
  members: readonly string[];
}

/** The feed's own state: each contact's members, grown by `ContactAdded`. */
export const feedMembersFold: Fold<ContactMembers, FeedSourceEvent> = {
  handles: isFeedSource,
  keyOf: (event) => uuid(event, dataOf(event).contactId, 'contactId'),
  evolve(doc, event) {
    if (event.type !== 'ContactAdded') return doc;
    const added = uuids(event, event.data.members, 'members', 2).filter((userId) => !doc?.members.includes(userId));
    if (added.length === 0) return doc;
    return { contactId: event.data.contactId, members: [...(doc?.members ?? []), ...added] };
  },
};
