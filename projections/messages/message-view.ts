import type { MessageAttachment } from '../../domain/contacts/message-attachments.js';
import type { MessageRow } from './messages.fold.js';

/** A message as the API serves it, from the read model or from time travel. */
export interface MessageView {
  id: string;
  contactId: string;
  senderId: string;
  text: string | null;
  sentAt: string;
  editedAt: string | null;
  deleted: boolean;
  attachments: MessageAttachment[];
}

export const toMessageView = (m: MessageRow): MessageView => ({
  id: m.id,
  contactId: m.contactId,
  senderId: m.senderId,
  text: m.deleted ? null : m.text,
  sentAt: m.sentAt,
  editedAt: m.editedAt,
  deleted: m.deleted,
  attachments: m.attachments,
});
