import { describe, it } from 'vitest';
import { DeciderSpecification } from '../../test/support/decider-specification.js';
import { contactDecider, type ContactCommand } from './contact.js';
import type { ContactAdded, MessageSent } from './events.js';
import type { MessageAttachment } from './message-attachments.js';

const spec = DeciderSpecification.for(contactDecider);
const contactId = 'contact-1';
const ada = 'ada';
const bob = 'bob';

const file = (n: number, extra: Partial<MessageAttachment> = {}): MessageAttachment => ({
  id: `file-${n}`,
  name: `photo ${n}.png`,
  size: 1000 + n,
  contentType: 'image/png',
  width: 800,
  height: 600,
  ...extra,
});
const contactAdded: ContactAdded = { type: 'ContactAdded', data: { contactId, kind: 'direct', members: [ada, bob], addedBy: ada } };
const send = (text: string, attachments?: MessageAttachment[], senderId = ada): ContactCommand => ({
  type: 'SendMessage',
  data: { contactId, messageId: 'm1', senderId, text, ...(attachments ? { attachments } : {}) },
});
const sent = (text: string, attachments?: MessageAttachment[]): MessageSent => ({
  type: 'MessageSent',
  data: { contactId, messageId: 'm1', senderId: ada, text, ...(attachments ? { attachments } : {}) },
});

describe('sending files in a message', () => {
  it('copies the files’ metadata into the event, in the order given', () => {
    spec
      .given([contactAdded])
      .when(send('look', [file(2), file(1, { width: undefined, height: undefined, contentType: 'application/pdf' })]))
      .then([sent('look', [file(2), file(1, { width: undefined, height: undefined, contentType: 'application/pdf' })])]);
  });

  it('needs no text when there are files, but refuses whitespace-only text', () => {
    spec
      .given([contactAdded])
      .when(send('', [file(1)]))
      .then([sent('', [file(1)])]);
    spec
      .given([contactAdded])
      .when(send(' \n', [file(1)]))
      .thenThrows('INVALID_MESSAGE_TEXT');
  });

  it('still needs text when there are no files', () => {
    spec.given([contactAdded]).when(send('', [])).thenThrows('INVALID_MESSAGE_TEXT');
    spec.given([contactAdded]).when(send('')).thenThrows('INVALID_MESSAGE_TEXT');
  });

  it('writes no attachments field when there are none, as events did before files existed', () => {
    spec
      .given([contactAdded])
      .when(send('hi', []))
      .then([sent('hi')]);
  });

  it('carries at most ten files, each once', () => {
    const ten = Array.from({ length: 10 }, (_, i) => file(i));
    spec
      .given([contactAdded])
      .when(send('', ten))
      .then([sent('', ten)]);
    spec
      .given([contactAdded])
      .when(send('', [...ten, file(10)]))
      .thenThrows('INVALID_ATTACHMENTS');
    spec
      .given([contactAdded])
      .when(send('', [file(1), file(1)]))
      .thenThrows('INVALID_ATTACHMENTS');
  });

  it('treats a resend with files as a retry', () => {
    spec
      .given([contactAdded, sent('', [file(1)])])
      .when(send('', [file(1)]))
      .then([]);
  });

  it('answers a non-member NOT_A_MEMBER whatever the files', () => {
    spec
      .given([contactAdded])
      .when(send('', [file(1)], 'eve'))
      .thenThrows('NOT_A_MEMBER');
  });
});
