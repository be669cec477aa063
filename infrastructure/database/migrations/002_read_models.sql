-- Read models (owned by the modules in projections/) and their checkpoints.
CREATE TABLE projection_checkpoints (
  name       text PRIMARY KEY,
  position   bigint      NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  node_id    text
);

CREATE TABLE accounts (
  user_id       uuid PRIMARY KEY,
  username      text NOT NULL UNIQUE,
  display_name  text NOT NULL,
  registered_at timestamptz NOT NULL
);
CREATE INDEX accounts_username_prefix_idx ON accounts (username text_pattern_ops);

CREATE TABLE contact_list (
  user_id                   uuid NOT NULL,
  contact_id                uuid NOT NULL,
  peer_id                   uuid NOT NULL,
  last_message              jsonb,
  last_activity_at          timestamptz NOT NULL,
  last_read_message_id      uuid,
  peer_last_read_message_id uuid,
  active_meeting            jsonb,
  PRIMARY KEY (user_id, contact_id)
);
CREATE INDEX contact_list_by_activity_idx ON contact_list (user_id, last_activity_at DESC, contact_id);
CREATE INDEX contact_list_contact_idx ON contact_list (contact_id);

-- seq is the MessageSent event's revision in its contact stream: the order messages were accepted in.
CREATE TABLE messages (
  contact_id uuid        NOT NULL,
  seq        bigint      NOT NULL,
  id         uuid        NOT NULL,
  sender_id  uuid        NOT NULL,
  text       text,
  sent_at    timestamptz NOT NULL,
  edited_at  timestamptz,
  deleted    boolean     NOT NULL DEFAULT false,
  PRIMARY KEY (contact_id, seq),
  UNIQUE (contact_id, id)
);

-- What each user may see, by global position: what the socket pushes and what catch-up returns.
CREATE TABLE feed (
  user_id  uuid   NOT NULL,
  position bigint NOT NULL,
  type     text   NOT NULL,
  data     jsonb  NOT NULL,
  PRIMARY KEY (user_id, position)
);
CREATE TABLE feed_contact_members (
  contact_id uuid NOT NULL,
  user_id    uuid NOT NULL,
  PRIMARY KEY (contact_id, user_id)
);

-- Operational state, not read models: never rebuilt from the log.
CREATE TABLE credentials (
  user_id       uuid PRIMARY KEY,
  password_hash text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE sessions (
  id         uuid PRIMARY KEY,
  user_id    uuid        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
