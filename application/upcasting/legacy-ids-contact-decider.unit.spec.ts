import { describe, it } from 'vitest';
import { DeciderSpecification } from '../../test/support/decider-specification.js';
import { contactDecider, type ContactCommand } from '../../domain/contacts/contact.js';
import type { ContactEvent } from '../../domain/contacts/events.js';
import { withCanonicalIds } from './canonical-event-ids.js';

/**
 * Issue 12's attack, as a log written before ids were checked at the edge holds it: ana sent `x`, ben sent
 * `X` (the string compare let it through), then edited and deleted `X`. Read through the upcaster, ben's `X`
 * is ana's `x`: a second send of an id that is taken, and ben's edit and deletion of a message not his.
 */
const spec = DeciderSpecification.for(contactDecider);

const ana = 'a0000000-0000-4000-8000-00000000000a';
const ben = 'b0000000-0000-4000-8000-00000000000b';
const contactId = 'c0000000-0000-4000-8000-00000000000c';
const x = 'd0000000-0000-4000-8000-00000000000d';

const stored: ContactEvent[] = [
  { type: 'ContactAdded', data: { contactId, kind: 'direct', members: [ana, ben], addedBy: ana } },
  { type: 'MessageSent', data: { contactId, messageId: x, senderId: ana, text: 'see you at 8' } },
  { type: 'MessageSent', data: { contactId, messageId: x.toUpperCase(), senderId: ben, text: 'placeholder' } },
  { type: 'MessageEdited', data: { contactId, messageId: x.toUpperCase(), editorId: ben, text: 'I will pay you 10000 EUR' } },
  { type: 'MessageDeleted', data: { contactId, messageId: x.toUpperCase(), deletedBy: ben } },
];
const upcasted = stored.map(withCanonicalIds);

const edit = (editorId: string, text: string): ContactCommand => ({
  type: 'EditMessage',
  data: { contactId, messageId: x, editorId, text },
});
const remove = (deletedBy: string): ContactCommand => ({ type: 'DeleteMessage', data: { contactId, messageId: x, deletedBy } });
const send = (senderId: string): ContactCommand => ({ type: 'SendMessage', data: { contactId, messageId: x, senderId, text: 'again' } });

describe('a conversation whose log spells one message id two ways', () => {
  it('keeps the id ana sent first: ben may not edit, delete or send it', () => {
    spec.given(upcasted).when(edit(ben, 'I will pay you 10000 EUR')).thenThrows('NOT_MESSAGE_SENDER');
    spec.given(upcasted).when(remove(ben)).thenThrows('NOT_MESSAGE_SENDER');
    spec.given(upcasted).when(send(ben)).thenThrows('MESSAGE_ID_CONFLICT');
  });

  it("treats ana's resend as a retry", () => {
    spec.given(upcasted).when(send(ana)).then([]);
  });

  it("leaves ana's message hers to edit and delete: ben's stored edit and deletion changed nothing", () => {
    spec
      .given(upcasted)
      .when(edit(ana, 'see you at 9'))
      .then([{ type: 'MessageEdited', data: { contactId, messageId: x, editorId: ana, text: 'see you at 9' } }]);
    spec
      .given(upcasted)
      .when(remove(ana))
      .then([{ type: 'MessageDeleted', data: { contactId, messageId: x, deletedBy: ana } }]);
  });
});
