-- The event log and its append function.
--
-- Gap-safe global order. `position` (the global order) and the appending transaction's id are handed out
-- together under a short advisory lock (two-key form, (7355600, 8)); in the same lock the append marks
-- itself "in flight" until it ends with a transaction-level shared advisory lock keyed by its own
-- transaction id (single-key form: in this database, single-key advisory locks are only these markers).
-- A reader first computes a horizon in one statement — the oldest in-flight marker of this database, or,
-- with none, the next transaction id to be assigned — and reads rows below it in the next statement:
-- every append with an id below the horizon had finished before that read's snapshot, and ids and
-- positions are handed out in the same order, so no smaller position can still commit later.
-- Only appends count: a long write transaction that is not an append (a projection batch, a rebuild,
-- another database's bulk load on the same cluster) never holds readers back, which a plain
-- `transaction_id < pg_snapshot_xmin(...)` filter would.
-- The revision check and the INSERT run after the lock is released, so appends (and their commits) run
-- concurrently; concurrent appends to one stream meet at the unique (stream_id, revision) index.
-- A failed append leaves unused positions behind: positions only grow, they need not be contiguous.
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
-- Must run as its own transaction (one statement, autocommit): see the protocol above.
-- Raises SQLSTATE 'DB408' when expectation 'any'/'stream_exists' lost a race for a revision (the caller retries).
-- Raises SQLSTATE 'DB409' with DETAIL = actual revision (or 'no_stream') on a wrong expected revision.
-- If an event's id is already stored, nothing is written and the stored position is returned.
CREATE FUNCTION derbel_append_events(p_stream text, p_expected text, p_events jsonb)
RETURNS TABLE (next_revision bigint, last_position bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_current bigint;
  v_positions bigint[];
BEGIN
  -- Idempotency: look the ids up by their index. (The OFFSET 0 fence matters: without it the planner may
  -- walk the whole log backwards by position looking for ids that are not there.)
  RETURN QUERY
    SELECT m.revision, m.position FROM (
      SELECT e.revision, e.position FROM events e
      WHERE e.event_id = ANY (ARRAY(SELECT (x->>'id')::uuid FROM jsonb_array_elements(p_events) x))
      OFFSET 0
    ) m
    ORDER BY m.position DESC LIMIT 1;
  IF FOUND THEN
    RETURN;
  END IF;

  PERFORM pg_advisory_lock(7355600, 8);
  BEGIN
    -- This transaction's id, its in-flight marker and its positions, all in lock order.
    PERFORM pg_advisory_xact_lock_shared(pg_current_xact_id()::text::bigint);
    SELECT array_agg(nextval('events_position_seq') ORDER BY i) INTO v_positions
    FROM generate_series(1, jsonb_array_length(p_events)) AS i;
  EXCEPTION WHEN OTHERS THEN
    PERFORM pg_advisory_unlock(7355600, 8);
    RAISE;
  END;
  PERFORM pg_advisory_unlock(7355600, 8);

  SELECT max(e.revision) INTO v_current FROM events e WHERE e.stream_id = p_stream;
  IF p_expected = 'no_stream' AND v_current IS NOT NULL
     OR p_expected = 'stream_exists' AND v_current IS NULL
     OR p_expected NOT IN ('any', 'no_stream', 'stream_exists') AND v_current IS DISTINCT FROM p_expected::bigint THEN
    RAISE EXCEPTION 'wrong expected revision' USING ERRCODE = 'DB409', DETAIL = coalesce(v_current::text, 'no_stream');
  END IF;
  BEGIN
    RETURN QUERY
      INSERT INTO events (position, stream_id, revision, event_id, type, data, metadata)
      SELECT v_positions[x.ordinality], p_stream, coalesce(v_current, -1) + x.ordinality, (x.value->>'id')::uuid,
             x.value->>'type', x.value->'data', x.value->'metadata'
      FROM jsonb_array_elements(p_events) WITH ORDINALITY x
      ORDER BY x.ordinality
      RETURNING revision, position;
  EXCEPTION WHEN unique_violation THEN
    -- A concurrent append to the same stream took the revision we chose (the index waited for its commit).
    IF SQLERRM LIKE '%events_stream_id_revision_key%' THEN
      IF p_expected IN ('any', 'stream_exists') THEN
        RAISE EXCEPTION 'revision taken concurrently, retry' USING ERRCODE = 'DB408';
      END IF;
      SELECT max(e.revision) INTO v_current FROM events e WHERE e.stream_id = p_stream;
      RAISE EXCEPTION 'wrong expected revision' USING ERRCODE = 'DB409', DETAIL = coalesce(v_current::text, 'no_stream');
    END IF;
    RAISE;
  END;
END;
$$;
