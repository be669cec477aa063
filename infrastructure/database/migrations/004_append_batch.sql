-- Many appends, to any streams, in one transaction: what a busy node sends instead of one
-- `derbel_append_events` call per command (one round trip, one lock hand-out and one WAL flush for all).
-- The same protocol as 001_event_store.sql (in-flight marker and positions under the short lock, revision
-- checks and INSERT outside it). Each append is answered on its own, in `request` order:
--   'appended'       next_revision and last_position of what it wrote;
--   'duplicate'      one of its event ids is already stored: the stored event's revision and position;
--   'wrong_revision' its expected revision did not hold: next_revision is the stream's current
--                    revision, null when the stream does not exist.
-- Appends later in the batch see the earlier ones. When another transaction wins a race for a revision
-- or an event id, the whole batch fails with DB408 and the caller appends each one on its own.
CREATE FUNCTION derbel_append_batch(p_appends jsonb)
RETURNS TABLE (request int, outcome text, next_revision bigint, last_position bigint)
LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
  v_count int := jsonb_array_length(p_appends);
  v_append jsonb;
  v_expected text;
  v_current bigint;
  v_known jsonb := '{}';
  v_stored record;
  v_outcomes text[] := array_fill(NULL::text, ARRAY[v_count]);
  v_revisions bigint[] := array_fill(NULL::bigint, ARRAY[v_count]);
  v_positions bigint[] := array_fill(NULL::bigint, ARRAY[v_count]);
  v_accepted int[] := '{}';
  v_bases bigint[] := '{}';
  v_events int := 0;
  v_new_positions bigint[];
  v_n int := 0;
BEGIN
  FOR i IN 1 .. v_count LOOP
    v_append := p_appends -> (i - 1);
    SELECT m.revision, m.position INTO v_stored FROM (
      SELECT e.revision, e.position FROM events e
      WHERE e.event_id = ANY (ARRAY(SELECT (x->>'id')::uuid FROM jsonb_array_elements(v_append->'events') x))
      OFFSET 0
    ) m ORDER BY m.position DESC LIMIT 1;
    IF FOUND THEN
      v_outcomes[i] := 'duplicate';
      v_revisions[i] := v_stored.revision;
      v_positions[i] := v_stored.position;
      CONTINUE;
    END IF;

    IF v_known ? (v_append->>'stream') THEN
      v_current := (v_known->>(v_append->>'stream'))::bigint;
    ELSE
      SELECT max(e.revision) INTO v_current FROM events e WHERE e.stream_id = v_append->>'stream';
    END IF;
    v_expected := v_append->>'expected';
    IF v_expected = 'no_stream' AND v_current IS NOT NULL
       OR v_expected = 'stream_exists' AND v_current IS NULL
       OR v_expected NOT IN ('any', 'no_stream', 'stream_exists') AND v_current IS DISTINCT FROM v_expected::bigint THEN
      v_outcomes[i] := 'wrong_revision';
      v_revisions[i] := v_current;
      CONTINUE;
    END IF;

    v_outcomes[i] := 'appended';
    v_accepted := v_accepted || i;
    v_bases := v_bases || coalesce(v_current, -1);
    v_events := v_events + jsonb_array_length(v_append->'events');
    v_revisions[i] := coalesce(v_current, -1) + jsonb_array_length(v_append->'events');
    v_known := v_known || jsonb_build_object(v_append->>'stream', v_revisions[i]);
  END LOOP;

  IF v_events > 0 THEN
    PERFORM pg_advisory_lock(7355600, 8);
    BEGIN
      PERFORM pg_advisory_xact_lock_shared(pg_current_xact_id()::text::bigint);
      SELECT array_agg(nextval('events_position_seq') ORDER BY s) INTO v_new_positions FROM generate_series(1, v_events) AS s;
    EXCEPTION WHEN OTHERS THEN
      PERFORM pg_advisory_unlock(7355600, 8);
      RAISE;
    END;
    PERFORM pg_advisory_unlock(7355600, 8);

    BEGIN
      INSERT INTO events (position, stream_id, revision, event_id, type, data, metadata)
      SELECT v_new_positions[r.n], r.stream_id, r.revision, r.event_id, r.type, r.data, r.metadata FROM (
        SELECT row_number() OVER (ORDER BY a.ord, x.ordinality) AS n,
               p_appends -> (a.req - 1) ->> 'stream' AS stream_id, a.base + x.ordinality AS revision,
               (x.value->>'id')::uuid AS event_id, x.value->>'type' AS type, x.value->'data' AS data, x.value->'metadata' AS metadata
        FROM unnest(v_accepted, v_bases) WITH ORDINALITY AS a(req, base, ord)
        CROSS JOIN LATERAL jsonb_array_elements(p_appends -> (a.req - 1) -> 'events') WITH ORDINALITY x
      ) r ORDER BY r.n;
    EXCEPTION WHEN unique_violation THEN
      RAISE EXCEPTION 'an append of the batch raced another transaction, append one by one' USING ERRCODE = 'DB408';
    END;

    FOREACH request IN ARRAY v_accepted LOOP
      v_n := v_n + jsonb_array_length(p_appends -> (request - 1) -> 'events');
      v_positions[request] := v_new_positions[v_n];
    END LOOP;
  END IF;

  FOR i IN 1 .. v_count LOOP
    request := i - 1;
    outcome := v_outcomes[i];
    next_revision := v_revisions[i];
    last_position := v_positions[i];
    RETURN NEXT;
  END LOOP;
END;
$$;

-- Every lookup of an append is by a unique index. A function's plans are cached by each connection, and a
-- plan made while the log was still small (a new deployment, a test) scans the whole table and stays in use
-- as the log grows, until the next ANALYZE: a seq scan per append, measured at up to 5 ms. So never plan one.
ALTER FUNCTION derbel_append_events(text, text, jsonb) SET enable_seqscan = off;
