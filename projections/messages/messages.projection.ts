import type { MessageDeleted, MessageEdited, MessageSent } from '../../domain/contacts/events.js';
import { applyMessagesBatch } from './messages.batch.js';
import type { Projection } from '../projection.js';

/** Message history per contact, in the order the contact stream accepted the messages. */
export const messagesProjection: Projection = {
  name: 'messages',
  tables: ['messages'],
  async apply(sql, event) {
    const at = event.metadata.timestamp;
    switch (event.type) {
      case 'MessageSent': {
        const d = event.data as MessageSent['data'];
        await sql.query(
          `INSERT INTO messages (contact_id, seq, id, sender_id, text, sent_at) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT DO NOTHING`,
          [d.contactId, event.revision, d.messageId, d.senderId, d.text, at],
        );
        return;
      }
      case 'MessageEdited': {
        const d = event.data as MessageEdited['data'];
        await sql.query(`UPDATE messages SET text = $3, edited_at = $4 WHERE contact_id = $1 AND id = $2`, [
          d.contactId,
          d.messageId,
          d.text,
          at,
        ]);
        return;
      }
      case 'MessageDeleted': {
        const d = event.data as MessageDeleted['data'];
        await sql.query(`UPDATE messages SET text = NULL, deleted = true WHERE contact_id = $1 AND id = $2`, [
          d.contactId,
          d.messageId,
        ]);
        return;
      }
    }
  },
  applyBatch: (sql, events) => applyMessagesBatch(sql, events, messagesProjection),
};
