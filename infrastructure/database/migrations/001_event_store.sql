-- The event log. `position` is the global order; appends assign it under a short advisory lock together
-- with the transaction id (see derbel_append_events), so readers that only read rows whose transaction
-- is older than every running one (pg_snapshot_xmin) never skip an event that commits later.
CREATE TABLE events (
  position       bigserial PRIMARY KEY,
  transaction_id xid8        NOT NULL DEFAULT pg_current_xact_id(),
  stream_id      text        NOT NULL,
  revision       bigint      NOT NULL,
  event_id       uuid        NOT NULL UNIQUE,
  type           text        NOT NULL,
  data           jsonb       NOT NULL,
  metadata       jsonb       NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (stream_id, revision)
);

CREATE INDEX events_user_idx ON events ((metadata->>'userId'), position);

-- Appends `p_events` (a JSON array of {id, type, data, metadata}) to `p_stream`.
-- p_expected: 'any' | 'no_stream' | 'stream_exists' | '<revision>'.
-- Must run as its own transaction (one statement, autocommit): the xid is then assigned inside the lock.
-- Raises SQLSTATE 'DB408' when expectation 'any'/'stream_exists' lost a race for a revision (the caller retries).
-- Raises SQLSTATE 'DB409' with DETAIL = actual revision (or 'no_stream') on a wrong expected revision.
-- If the first event's id is already stored, nothing is written and the stored position is returned.
CREATE FUNCTION derbel_append_events(p_stream text, p_expected text, p_events jsonb)
RETURNS TABLE (next_revision bigint, last_position bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_current bigint;
BEGIN
  RETURN QUERY
    SELECT e.revision, e.position FROM events e
    WHERE e.event_id IN (SELECT (x->>'id')::uuid FROM jsonb_array_elements(p_events) x)
    ORDER BY e.position DESC LIMIT 1;
  IF FOUND THEN
    RETURN;
  END IF;

  -- Revision check and insert happen under one short lock, taken after the idempotency check and
  -- released before commit (so commits, and their WAL flushes, still run concurrently).
  PERFORM pg_advisory_lock(7355608);
  BEGIN
    SELECT max(e.revision) INTO v_current FROM events e WHERE e.stream_id = p_stream;
    IF p_expected = 'no_stream' AND v_current IS NOT NULL
       OR p_expected = 'stream_exists' AND v_current IS NULL
       OR p_expected NOT IN ('any', 'no_stream', 'stream_exists') AND v_current IS DISTINCT FROM p_expected::bigint THEN
      RAISE EXCEPTION 'wrong expected revision' USING ERRCODE = 'DB409', DETAIL = coalesce(v_current::text, 'no_stream');
    END IF;
    RETURN QUERY
      INSERT INTO events (stream_id, revision, event_id, type, data, metadata)
      SELECT p_stream, coalesce(v_current, -1) + x.ordinality, (x.value->>'id')::uuid, x.value->>'type',
             x.value->'data', x.value->'metadata'
      FROM jsonb_array_elements(p_events) WITH ORDINALITY x
      ORDER BY x.ordinality
      RETURNING revision, position;
  EXCEPTION WHEN OTHERS THEN
    PERFORM pg_advisory_unlock(7355608);
    -- The lock is released before commit, so a concurrent append to the same stream may still be
    -- committing the revision we chose; the unique index waited for it and now reports the clash.
    IF SQLSTATE = '23505' AND SQLERRM LIKE '%events_stream_id_revision_key%' THEN
      IF p_expected IN ('any', 'stream_exists') THEN
        RAISE EXCEPTION 'revision taken concurrently, retry' USING ERRCODE = 'DB408';
      END IF;
      SELECT max(e.revision) INTO v_current FROM events e WHERE e.stream_id = p_stream;
      RAISE EXCEPTION 'wrong expected revision' USING ERRCODE = 'DB409', DETAIL = coalesce(v_current::text, 'no_stream');
    END IF;
    RAISE;
  END;
  PERFORM pg_advisory_unlock(7355608);
END;
$$;
