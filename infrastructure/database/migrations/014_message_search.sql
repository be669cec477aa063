-- Full-text search over messages (issue 20): a read model of its own, owned by projections/search/.
-- One row per message; a deleted message keeps its row with no text (so a late resend of its id cannot
-- bring it back) and so with an empty document: deletions leave the index.
-- The document holds English stems (so "meetings" finds "meeting") and the words as written (the `simple`
-- configuration: stop words, names, other languages, and prefixes of unstemmed words for as-you-type).
CREATE TABLE message_search (
  contact_id uuid        NOT NULL,
  id         uuid        NOT NULL,
  seq        bigint      NOT NULL,
  sender_id  uuid        NOT NULL,
  sent_at    timestamptz NOT NULL,
  edited_at  timestamptz,
  text       text,
  document   tsvector GENERATED ALWAYS AS (
    to_tsvector('english'::regconfig, coalesce(text, '')) || to_tsvector('simple'::regconfig, coalesce(text, ''))
  ) STORED,
  PRIMARY KEY (contact_id, id)
);
CREATE INDEX message_search_document_idx ON message_search USING gin (document);
