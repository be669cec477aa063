-- A shorter critical section for appends, and an idempotency check that cannot scan the whole log.
--
-- 004 held the insert lock over the revision check and the INSERT, so every append in the database
-- waited behind the one inserting, and that one could wait for WAL space behind other commits' flushes.
-- Gap safety only needs the transaction id and the positions to be handed out in the same order, so the
-- lock now covers just that: assign the transaction id, mark the append in flight, take the positions
-- from the sequence. The revision check and the INSERT (with those positions) run after the lock is
-- released; concurrent appends to one stream still meet at the unique (stream_id, revision) index.
-- A failed append leaves unused positions behind: positions only grow, they need not be contiguous.
CREATE OR REPLACE FUNCTION derbel_append_events(p_stream text, p_expected text, p_events jsonb)
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
