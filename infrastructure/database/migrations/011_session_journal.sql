-- Who signed in, renewed, signed out or failed to sign in, when, from which address and browser: never a
-- password or a token. Read by `derbel audit sessions <username>`; a user's own active sessions (with the
-- device they were opened on) are listed by `GET /api/sessions`.
ALTER TABLE sessions ADD COLUMN address text, ADD COLUMN user_agent text;

CREATE TABLE session_events (
  id         bigserial   PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  kind       text        NOT NULL,
  user_id    uuid,
  session_id uuid,
  -- What was typed at a failed sign-in (the account may not exist).
  username   text,
  address    text,
  user_agent text
);
CREATE INDEX session_events_user_idx ON session_events (user_id, at);
CREATE INDEX session_events_username_idx ON session_events (lower(username), at);
