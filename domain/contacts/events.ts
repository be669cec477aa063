/** Events of a `contact-<contactId>` stream: a conversation between its members. */
export type ContactAdded = {
  type: 'ContactAdded';
  data: { contactId: string; kind: 'direct'; members: string[]; addedBy: string };
};

export type MessageSent = {
  type: 'MessageSent';
  data: { contactId: string; messageId: string; senderId: string; text: string };
};

export type MessageEdited = {
  type: 'MessageEdited';
  data: { contactId: string; messageId: string; editorId: string; text: string };
};

export type MessageDeleted = {
  type: 'MessageDeleted';
  data: { contactId: string; messageId: string; deletedBy: string };
};

/** `userId` has read the conversation up to and including `messageId`. */
export type ConversationRead = {
  type: 'ConversationRead';
  data: { contactId: string; userId: string; messageId: string };
};

export type ContactEvent = ContactAdded | MessageSent | MessageEdited | MessageDeleted | ConversationRead;
