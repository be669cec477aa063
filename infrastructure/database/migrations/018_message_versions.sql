-- How often each conversation's history changed (issue 21): every message event of the conversation the
-- messages projection applied (sends, edits, deletions, reactions) adds one to `changes`, and `position` is
-- the newest of them. A node keeps the history pages it served with the pair they were read at and serves
-- one again only while the pair is unchanged. Both are pure functions of the log, as every read model is:
-- a rebuild gives the same rows. A conversation with no row has not changed since this table was created.
CREATE TABLE message_versions (
  contact_id uuid   PRIMARY KEY,
  changes    bigint NOT NULL,
  position   bigint NOT NULL
);
