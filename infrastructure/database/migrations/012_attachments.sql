-- Uploaded files: operational state, not events (the bytes live in the attachment storage, under the
-- attachment's id; a message that sends one copies this metadata into its MessageSent event). A row is
-- written only once its bytes (and, for images, its thumbnail) are stored, and removed before they are.
CREATE TABLE attachments (
  id            uuid        PRIMARY KEY,
  uploader_id   uuid        NOT NULL,
  name          text        NOT NULL,
  size          bigint      NOT NULL CHECK (size > 0),
  content_type  text        NOT NULL,
  width         integer,
  height        integer,
  has_thumbnail boolean     NOT NULL DEFAULT false,
  uploaded_at   timestamptz NOT NULL DEFAULT now(),
  -- The message it was sent in (claimed just before the send is appended; released when the send fails).
  contact_id    uuid,
  message_id    uuid,
  CHECK ((contact_id IS NULL) = (message_id IS NULL))
);
-- The quota sums a user's uploads.
CREATE INDEX attachments_uploader_idx ON attachments (uploader_id);
CREATE INDEX attachments_message_idx ON attachments (contact_id, message_id) WHERE message_id IS NOT NULL;
