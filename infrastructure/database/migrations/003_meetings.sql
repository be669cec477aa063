-- Meetings: read models (owned by projections/active-meetings.* and projections/call-log.*) and the
-- seats table the socket layer and the sweeper share.

-- Meetings that are ringing or going on; a row is deleted when its meeting ends.
CREATE TABLE active_meetings (
  meeting_id   uuid        PRIMARY KEY,
  contact_id   uuid        NOT NULL,
  state        text        NOT NULL CHECK (state IN ('ringing', 'active')),
  started_by   uuid        NOT NULL,
  members      uuid[]      NOT NULL,
  invitees     uuid[]      NOT NULL,
  -- [{ "userId": …, "peerId": … }] in the order they (re)joined
  participants jsonb       NOT NULL DEFAULT '[]'::jsonb,
  ring_until   timestamptz NOT NULL,
  started_at   timestamptz NOT NULL
);
CREATE INDEX active_meetings_members_idx ON active_meetings USING gin (members);
-- The sweeper's ring-timeout query.
CREATE INDEX active_meetings_ringing_idx ON active_meetings (ring_until) WHERE state = 'ringing';

-- Per user, one row per ended meeting of theirs.
CREATE TABLE call_log (
  user_id          uuid        NOT NULL,
  meeting_id       uuid        NOT NULL,
  contact_id       uuid        NOT NULL,
  peer_id          uuid        NOT NULL,
  direction        text        NOT NULL CHECK (direction IN ('outgoing', 'incoming')),
  outcome          text        NOT NULL CHECK (outcome IN ('missed', 'declined', 'finished')),
  started_at       timestamptz NOT NULL,
  ended_at         timestamptz NOT NULL,
  duration_seconds integer     NOT NULL,
  PRIMARY KEY (user_id, meeting_id)
);
CREATE INDEX call_log_newest_first_idx ON call_log (user_id, ended_at DESC, meeting_id DESC);

-- What the call log needs to remember about a meeting until it ends.
CREATE TABLE call_log_meetings (
  meeting_id  uuid        PRIMARY KEY,
  started_by  uuid        NOT NULL,
  members     uuid[]      NOT NULL,
  started_at  timestamptz NOT NULL,
  answered_at timestamptz
);

-- Operational state, not a read model: which socket holds each participant's seat, and since when
-- nobody does. The leader's sweeper gives up seats whose holder has been gone longer than the grace.
-- `connected_until` is a lease the holding node renews, so seats held on a node that died expire too.
CREATE TABLE meeting_seats (
  meeting_id      uuid        NOT NULL,
  user_id         uuid        NOT NULL,
  peer_id         uuid        NOT NULL UNIQUE,
  node_id         text        NOT NULL,
  joined_at       timestamptz NOT NULL,
  connected_until timestamptz NOT NULL,
  disconnected_at timestamptz,
  PRIMARY KEY (meeting_id, user_id)
);
-- LEAST ignores NULL: a seat is gone from its disconnect, or from its lease's end if its node died.
CREATE INDEX meeting_seats_gone_idx ON meeting_seats ((least(disconnected_at, connected_until)));
