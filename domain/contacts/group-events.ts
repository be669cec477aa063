/**
 * Events of a group conversation's `contact-<contactId>` stream (docs/groups.md). A group shares the stream
 * family and the message events with direct conversations; these are what differs: its membership.
 */

export type GroupCreated = {
  type: 'GroupCreated';
  /** 3–100 `members` (creator included), all accepted contacts of `createdBy`, who is the first admin. */
  data: { contactId: string; kind: 'group'; title: string; members: string[]; admins: string[]; createdBy: string; membersMayAdd: boolean };
};

export type GroupRenamed = { type: 'GroupRenamed'; data: { contactId: string; title: string; renamedBy: string } };

export type GroupMembersAdded = { type: 'GroupMembersAdded'; data: { contactId: string; userIds: string[]; addedBy: string } };

export type GroupMemberRemoved = { type: 'GroupMemberRemoved'; data: { contactId: string; userId: string; removedBy: string } };

export type GroupMemberLeft = { type: 'GroupMemberLeft'; data: { contactId: string; userId: string } };

/** `appointedBy: null`: the last admin left or was removed; the longest-standing member inherits (same append). */
export type GroupAdminAppointed = { type: 'GroupAdminAppointed'; data: { contactId: string; userId: string; appointedBy: string | null } };

export type GroupSettingsChanged = { type: 'GroupSettingsChanged'; data: { contactId: string; membersMayAdd: boolean; changedBy: string } };

export type GroupEvent =
  GroupCreated | GroupRenamed | GroupMembersAdded | GroupMemberRemoved | GroupMemberLeft | GroupAdminAppointed | GroupSettingsChanged;

/** Every group event type, once (a record, so a new type cannot be left out). */
export const GROUP_EVENT_TYPE_KEYS: Record<GroupEvent['type'], true> = {
  GroupCreated: true,
  GroupRenamed: true,
  GroupMembersAdded: true,
  GroupMemberRemoved: true,
  GroupMemberLeft: true,
  GroupAdminAppointed: true,
  GroupSettingsChanged: true,
};
export const GROUP_EVENT_TYPES = Object.keys(GROUP_EVENT_TYPE_KEYS) as ReadonlyArray<GroupEvent['type']>;

export const isGroupEventType = (type: string): type is GroupEvent['type'] => Object.hasOwn(GROUP_EVENT_TYPE_KEYS, type);
