-- Gap safety per database instead of per cluster.
--
-- 001 made readers wait for pg_snapshot_xmin: the oldest running transaction of the whole PostgreSQL
-- cluster, so any long write transaction anywhere (a rebuild batch, another database's bulk load) held
-- back event delivery. Now each append marks itself while in flight with a transaction-level shared
-- advisory lock keyed by its own transaction id, taken under the insert lock together with the position.
-- Readers compute a horizon = the oldest in-flight append marker in this database (or, with none, the
-- next transaction id to be assigned) in one statement, then read rows below it in the next: every
-- append with an id below the horizon had finished before the second statement's snapshot was taken.
-- The insert lock moves to the two-key form so that single-key advisory locks in this database are
-- only ever these markers.

CREATE OR REPLACE FUNCTION derbel_append_events(p_stream text, p_expected text, p_events jsonb)
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
  PERFORM pg_advisory_lock(7355600, 8);
  BEGIN
    -- Inside the lock: assign this transaction's id and mark it as an append in flight until it ends
    -- (a shared lock keyed by the id). Readers hold back at the oldest marker (see readAll).
    PERFORM pg_advisory_xact_lock_shared(pg_current_xact_id()::text::bigint);
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
    PERFORM pg_advisory_unlock(7355600, 8);
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
  PERFORM pg_advisory_unlock(7355600, 8);
END;
$$;
