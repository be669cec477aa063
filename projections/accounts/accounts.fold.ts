import type { AccountRegistered } from '../../domain/accounts/events.js';
import { dataOf, occurredAt, text, uuid } from '../event-fields.js';
import type { Fold } from '../fold.js';
import type { Recorded, RecordedDerbelEvent } from '../recorded-event.js';

export interface AccountRow {
  userId: string;
  username: string;
  displayName: string;
  registeredAt: string;
}

export type AccountEvent = Recorded<AccountRegistered>;

/** The user directory: the first registration of a user id is the account. */
export const accountsFold: Fold<AccountRow, AccountEvent> = {
  handles: (event: RecordedDerbelEvent): event is AccountEvent => event.type === 'AccountRegistered',
  keyOf: (event) => uuid(event, dataOf(event).userId, 'userId'),
  createsOnly: () => true,
  evolve(row, event) {
    const d = event.data;
    return (
      row ?? {
        userId: d.userId,
        username: text(event, d.username, 'username'),
        displayName: text(event, d.displayName, 'displayName'),
        registeredAt: occurredAt(event),
      }
    );
  },
};
