-- Events a projection could not apply (a malformed event, or data its tables refuse) and skipped, so
-- that one event never stops a read model. Listed by `derbel projections parked`; counted by /readyz
-- and the derbel_projection_parked_events metric. Text columns: a parked event may be malformed anywhere.
CREATE TABLE projection_parked_events (
  projection text        NOT NULL,
  position   bigint      NOT NULL,
  event_id   text        NOT NULL,
  stream_id  text        NOT NULL,
  event_type text        NOT NULL,
  -- MALFORMED_EVENT, a SQLSTATE, or the JavaScript error's name
  error_code text        NOT NULL,
  error      text        NOT NULL,
  attempts   integer     NOT NULL DEFAULT 1,
  parked_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (projection, position)
);

-- Bumped by anything that writes a projection's tables behind its live runner (`projections parked
-- --retry`): the runner's fence sees it and starts over, dropping what it remembered of those tables.
ALTER TABLE projection_checkpoints ADD COLUMN generation bigint NOT NULL DEFAULT 0;
