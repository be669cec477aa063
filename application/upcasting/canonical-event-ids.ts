import type { DerbelEvent, DerbelEventType } from '../../domain/events.js';
import { canonicalUuid, isCanonicalUuid } from './canonical-uuid.js';

type DataOf<T extends DerbelEventType> = Extract<DerbelEvent, { type: T }>['data'];
type KeysOf<D, V> = { [K in keyof D]-?: D[K] extends V ? K : never }[keyof D] & string;
type IdFields<D> = { ids: readonly KeysOf<D, string | null>[]; lists?: readonly KeysOf<D, string[]>[] };

/** The fields of each type's data that hold our ids. Not `peerId`: a string the client picks, no id of ours. */
const ID_FIELDS: { [T in DerbelEventType]: IdFields<DataOf<T>> } = {
  UsernameClaimed: { ids: ['userId'] },
  AccountRegistered: { ids: ['userId'] },
  ContactAdded: { ids: ['contactId', 'addedBy'], lists: ['members'] },
  MessageSent: { ids: ['contactId', 'messageId', 'senderId'] },
  MessageEdited: { ids: ['contactId', 'messageId', 'editorId'] },
  MessageDeleted: { ids: ['contactId', 'messageId', 'deletedBy'] },
  ConversationRead: { ids: ['contactId', 'userId', 'messageId'] },
  MeetingStarted: { ids: ['meetingId', 'contactId', 'startedBy'], lists: ['members', 'invitees'] },
  ParticipantJoined: { ids: ['meetingId', 'contactId', 'userId'] },
  ParticipantLeft: { ids: ['meetingId', 'contactId', 'userId'] },
  InvitationDeclined: { ids: ['meetingId', 'contactId', 'userId'] },
  MeetingEnded: { ids: ['meetingId', 'contactId', 'endedBy'] },
  MeetingSlotClaimed: { ids: ['meetingId'] },
  MeetingSlotReleased: { ids: ['meetingId'] },
};

const fieldsByType = new Map<string, { ids: readonly string[]; lists?: readonly string[] }>(Object.entries(ID_FIELDS));

/**
 * The event with every id of its data in the canonical spelling (the API once accepted `urn:uuid:…` and upper
 * case). Values that are no uuid at all stay as written, for the read side to park. An event that needs no
 * change is handed back as the same object, and nothing is allocated for it.
 */
export function withCanonicalIds<E extends { type: string; data: unknown }>(event: E): E {
  const fields = fieldsByType.get(event.type);
  const data = event.data;
  if (!fields || data === null || typeof data !== 'object' || Array.isArray(data)) return event;
  const record = data as Record<string, unknown>;
  let copy: Record<string, unknown> | null = null;
  for (const field of fields.ids) {
    const fixed = canonicalised(record[field]);
    if (fixed !== undefined) (copy ??= { ...record })[field] = fixed;
  }
  for (const field of fields.lists ?? []) {
    const list = record[field];
    if (!Array.isArray(list) || list.every((value) => canonicalised(value) === undefined)) continue;
    (copy ??= { ...record })[field] = list.map((value) => canonicalised(value) ?? value);
  }
  return copy ? { ...event, data: copy } : event;
}

/** The canonical spelling when `value` is a uuid spelled otherwise; undefined when there is nothing to change. */
function canonicalised(value: unknown): string | undefined {
  if (typeof value !== 'string' || isCanonicalUuid(value)) return undefined;
  return canonicalUuid(value) ?? undefined;
}
