-- Contacts with consent (issue 17, docs/contacts-consent.md).

-- A removed (or blocked) contact keeps its rows, hidden, so that its read markers come back with a new
-- acceptance. Logs from before requests hold no removal: every existing row stays visible.
ALTER TABLE contact_list ADD COLUMN removed boolean NOT NULL DEFAULT false;

-- Open requests, one per pair (the contact's id). A declined one stays for its requester (who is not told);
-- a silenced one (blocked requester, or inside the cooling-off) is shown to its requester only.
CREATE TABLE contact_requests (
  contact_id   uuid PRIMARY KEY,
  requester_id uuid        NOT NULL,
  recipient_id uuid        NOT NULL,
  message      text,
  requested_at timestamptz NOT NULL,
  silenced     boolean     NOT NULL,
  declined     boolean     NOT NULL DEFAULT false
);
CREATE INDEX contact_requests_requester_idx ON contact_requests (requester_id);
CREATE INDEX contact_requests_recipient_idx ON contact_requests (recipient_id);

-- Whom each user has blocked: private to the blocker.
CREATE TABLE user_blocks (
  blocker_id uuid        NOT NULL,
  blocked_id uuid        NOT NULL,
  blocked_at timestamptz NOT NULL,
  PRIMARY KEY (blocker_id, blocked_id)
);
