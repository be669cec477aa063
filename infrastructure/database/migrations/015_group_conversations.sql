-- Group conversations, read side (issue 18, docs/groups.md).

-- One row per membership period of a conversation (direct or group), owned by projections/conversation-members/.
-- A member sees the conversation's events whose position lies inside one of their periods: after the event
-- that let them in (`joined_*`) and before the one that put them out (`left_*`, NULL while they are in).
-- The revisions are the same bounds in the contact stream, which is how messages are ordered (`messages.seq`).
CREATE TABLE conversation_members (
  contact_id      uuid        NOT NULL,
  user_id         uuid        NOT NULL,
  joined_position bigint      NOT NULL,
  joined_revision bigint      NOT NULL,
  joined_at       timestamptz NOT NULL,
  left_position   bigint,
  left_revision   bigint,
  PRIMARY KEY (contact_id, user_id, joined_position)
);

-- A group has a row per member as a direct contact has one per side. Existing rows are direct ones.
ALTER TABLE contact_list
  ALTER COLUMN peer_id DROP NOT NULL,
  ADD COLUMN kind text NOT NULL DEFAULT 'direct',
  ADD COLUMN title text,
  ADD COLUMN member_count integer NOT NULL DEFAULT 2,
  ADD COLUMN role text NOT NULL DEFAULT 'member',
  ADD COLUMN members_may_add boolean NOT NULL DEFAULT false;
