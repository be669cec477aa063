import type pg from 'pg';
import type { AttachmentRecord } from '../../application/attachments/attachment.js';
import type { AttachmentRecords } from '../../application/ports/attachment-records.js';
import { ADVISORY_LOCKS } from '../database/advisory-locks.js';

interface Row {
  id: string;
  uploader_id: string;
  name: string;
  size: string;
  content_type: string;
  width: number | null;
  height: number | null;
  has_thumbnail: boolean;
  contact_id: string | null;
  message_id: string | null;
}

const COLUMNS = 'id, uploader_id, name, size, content_type, width, height, has_thumbnail, contact_id, message_id';

function recordOf(row: Row): AttachmentRecord {
  return {
    id: row.id,
    uploaderId: row.uploader_id,
    name: row.name,
    size: Number(row.size),
    contentType: row.content_type,
    ...(row.width !== null ? { width: row.width } : {}),
    ...(row.height !== null ? { height: row.height } : {}),
    hasThumbnail: row.has_thumbnail,
    sentIn: row.contact_id && row.message_id ? { contactId: row.contact_id, messageId: row.message_id } : null,
  };
}

/** The `attachments` table (migration 012). */
export class PostgresAttachmentRecords implements AttachmentRecords {
  constructor(private readonly pool: pg.Pool) {}

  async usedBytes(uploaderId: string): Promise<number> {
    const { rows } = await this.pool.query<{ used: string }>(
      'SELECT coalesce(sum(size), 0) AS used FROM attachments WHERE uploader_id = $1',
      [uploaderId],
    );
    return Number(rows[0].used);
  }

  async insertWithinQuota(record: AttachmentRecord, quotaBytes: number): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [ADVISORY_LOCKS.attachmentQuota, record.uploaderId]);
      const inserted = await client.query(
        `INSERT INTO attachments (id, uploader_id, name, size, content_type, width, height, has_thumbnail)
         SELECT $1::uuid, $2::uuid, $3, $4::bigint, $5, $6::integer, $7::integer, $8::boolean
          WHERE (SELECT coalesce(sum(size), 0) FROM attachments WHERE uploader_id = $2) + $4::bigint <= $9::bigint`,
        [
          record.id,
          record.uploaderId,
          record.name,
          record.size,
          record.contentType,
          record.width ?? null,
          record.height ?? null,
          record.hasThumbnail,
          quotaBytes,
        ],
      );
      await client.query('COMMIT');
      return inserted.rowCount === 1;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async find(id: string): Promise<AttachmentRecord | null> {
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM attachments WHERE id = $1`, [id]);
    return rows[0] ? recordOf(rows[0]) : null;
  }

  async claim(
    ids: readonly string[],
    uploaderId: string,
    sentIn: { contactId: string; messageId: string },
  ): Promise<AttachmentRecord[] | null> {
    if (ids.length === 0) return [];
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<Row>(
        `UPDATE attachments SET contact_id = $3, message_id = $4
          WHERE id = ANY($1::uuid[]) AND uploader_id = $2
            AND (message_id IS NULL OR (contact_id = $3 AND message_id = $4))
          RETURNING ${COLUMNS}`,
        [ids, uploaderId, sentIn.contactId, sentIn.messageId],
      );
      if (rows.length !== new Set(ids).size) {
        await client.query('ROLLBACK');
        return null;
      }
      await client.query('COMMIT');
      const byId = new Map(rows.map((row) => [row.id, recordOf(row)]));
      return ids.map((id) => byId.get(id)!);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async release(ids: readonly string[], sentIn: { contactId: string; messageId: string }): Promise<void> {
    if (ids.length === 0) return;
    await this.pool.query(
      'UPDATE attachments SET contact_id = NULL, message_id = NULL WHERE id = ANY($1::uuid[]) AND contact_id = $2 AND message_id = $3',
      [ids, sentIn.contactId, sentIn.messageId],
    );
  }

  async removeUnsentBefore(before: Date): Promise<AttachmentRecord[]> {
    // Row locks order this against a send claiming one of them: either the claim or the removal wins.
    const { rows } = await this.pool.query<Row>(
      `DELETE FROM attachments WHERE message_id IS NULL AND uploaded_at < $1 RETURNING ${COLUMNS}`,
      [before],
    );
    return rows.map(recordOf);
  }

  async removeForMessage(contactId: string, messageId: string): Promise<AttachmentRecord[]> {
    const { rows } = await this.pool.query<Row>(`DELETE FROM attachments WHERE contact_id = $1 AND message_id = $2 RETURNING ${COLUMNS}`, [
      contactId,
      messageId,
    ]);
    return rows.map(recordOf);
  }
}
