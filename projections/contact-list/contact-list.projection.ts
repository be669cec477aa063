import type { ContactAdded, ConversationRead, MessageDeleted, MessageEdited, MessageSent } from '../../domain/contacts/events.js';
import type { MeetingEnded, MeetingStarted, ParticipantJoined } from '../../domain/meetings/events.js';
import { applyContactListBatch } from './contact-list.batch.js';
import type { Projection } from '../projection.js';

/**
 * Per user: each contact with its peer, last message, read markers, active meeting and last activity.
 * The unread count is derived at query time from `messages` and `last_read_message_id`.
 */
export const contactListProjection: Projection = {
  name: 'contact_list',
  tables: ['contact_list'],
  async apply(sql, event) {
    const at = event.metadata.timestamp;
    switch (event.type) {
      case 'ContactAdded': {
        const { contactId, members } = event.data as ContactAdded['data'];
        const [a, b] = members;
        await sql.query(
          `INSERT INTO contact_list (user_id, contact_id, peer_id, last_activity_at)
           VALUES ($1, $3, $2, $4), ($2, $3, $1, $4) ON CONFLICT DO NOTHING`,
          [a, b, contactId, at],
        );
        return;
      }
      case 'MessageSent': {
        const d = event.data as MessageSent['data'];
        const lastMessage = { id: d.messageId, senderId: d.senderId, text: d.text, sentAt: at, editedAt: null, deleted: false };
        await sql.query(`UPDATE contact_list SET last_message = $2, last_activity_at = $3 WHERE contact_id = $1`, [
          d.contactId,
          lastMessage,
          at,
        ]);
        return;
      }
      case 'MessageEdited': {
        const d = event.data as MessageEdited['data'];
        await sql.query(
          `UPDATE contact_list SET last_message = last_message || jsonb_build_object('text', $3::text, 'editedAt', $4::text)
           WHERE contact_id = $1 AND last_message->>'id' = $2`,
          [d.contactId, d.messageId, d.text, at],
        );
        return;
      }
      case 'MessageDeleted': {
        const d = event.data as MessageDeleted['data'];
        await sql.query(
          `UPDATE contact_list SET last_message = last_message || '{"text": null, "deleted": true}'::jsonb
           WHERE contact_id = $1 AND last_message->>'id' = $2`,
          [d.contactId, d.messageId],
        );
        return;
      }
      case 'ConversationRead': {
        const d = event.data as ConversationRead['data'];
        await sql.query(`UPDATE contact_list SET last_read_message_id = $3 WHERE contact_id = $1 AND user_id = $2`, [
          d.contactId,
          d.userId,
          d.messageId,
        ]);
        await sql.query(`UPDATE contact_list SET peer_last_read_message_id = $3 WHERE contact_id = $1 AND peer_id = $2`, [
          d.contactId,
          d.userId,
          d.messageId,
        ]);
        return;
      }
      case 'MeetingStarted': {
        const d = event.data as MeetingStarted['data'];
        await sql.query(
          `UPDATE contact_list SET active_meeting = $2, last_activity_at = $3 WHERE contact_id = $1`,
          [d.contactId, { id: d.meetingId, state: 'ringing', startedBy: d.startedBy }, at],
        );
        return;
      }
      case 'ParticipantJoined': {
        const d = event.data as ParticipantJoined['data'];
        await sql.query(
          `UPDATE contact_list SET active_meeting = active_meeting || '{"state": "active"}'::jsonb
           WHERE contact_id = $1 AND active_meeting->>'id' = $2 AND $3 <> active_meeting->>'startedBy'`,
          [d.contactId, d.meetingId, d.userId],
        );
        return;
      }
      case 'MeetingEnded': {
        const d = event.data as MeetingEnded['data'];
        await sql.query(`UPDATE contact_list SET active_meeting = NULL WHERE contact_id = $1 AND active_meeting->>'id' = $2`, [
          d.contactId,
          d.meetingId,
        ]);
        return;
      }
    }
  },
  applyBatch: (sql, events, options) => applyContactListBatch(sql, events, contactListProjection, options?.memory),
  // Each batch rewrites every row of every contact it touches: bigger batches, fewer rewrites.
  rebuildBatchSize: 50_000,
};
