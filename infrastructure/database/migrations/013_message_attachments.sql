-- The files a message carries (metadata copied from its MessageSent: id, name, size, contentType, width,
-- height); NULL when none. The bytes are in the attachment storage, never here or in the log.
ALTER TABLE messages ADD COLUMN attachments jsonb;
