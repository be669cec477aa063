import type { DerbelClient } from '../derbel-client.js';

/** How a call in this conversation is named: the group's title, or the contact's name. */
export function callTitle(client: DerbelClient, contactId: string): string {
  const group = client.group(contactId);
  if (group) return group.title || 'the group';
  return client.contact(contactId)?.peer.displayName ?? 'your contact';
}

/** A participant's name, from the contact list or the group's members (past and present). */
export function participantName(client: DerbelClient, contactId: string, userId: string): string {
  if (userId === client.me?.id) return 'You';
  const contact = client.contacts.value.contacts.find((c) => c.peer.id === userId);
  if (contact?.peer.displayName) return contact.peer.displayName;
  return client.group(contactId)?.names[userId] ?? 'Someone';
}

export const isGroupConversation = (client: DerbelClient, contactId: string) => client.group(contactId) !== null;
