-- Planning, not execution, was what a busy log's reads and appends spent most on (pg_stat_statements with
-- track_planning, BENCHMARKS.md).

-- The append functions: plpgsql re-plans a statement with a custom plan for its parameters whenever it
-- judges that cheaper than the cached generic plan, which for these index lookups it nearly always did.
-- The generic plans are the same index lookups (no sequential scan is allowed, see 004_append_batch.sql).
ALTER FUNCTION derbel_append_events(text, text, jsonb) SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION derbel_append_batch(jsonb) SET plan_cache_mode = force_generic_plan;

-- A page of `$all` below the read horizon (the protocol is in 001_event_store.sql), then one more row whose
-- `position` is NULL and whose `written_head` is the highest position committed, visible or not to the
-- page. Sent by the client as one multi-statement query, this was planned on every call (the horizon's
-- pg_locks lookup alone took ~0.1 ms to plan); as a function its plans are made once per connection.
-- It must stay VOLATILE: each statement of a volatile function takes a fresh snapshot, and the horizon has
-- to be computed before the page's snapshot is taken.
CREATE FUNCTION derbel_read_all(p_after bigint, p_limit int)
RETURNS TABLE ("position" bigint, stream_id text, revision bigint, event_id uuid, type text, data jsonb,
               metadata jsonb, written_head bigint)
LANGUAGE plpgsql VOLATILE SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  v_horizon xid8;
BEGIN
  SELECT least(
    pg_snapshot_xmax(pg_current_snapshot()),
    (SELECT min((l.classid::bigint << 32) | l.objid::bigint)::text::xid8 FROM pg_locks l
     WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted
       AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database()))
  ) INTO v_horizon;
  RETURN QUERY
    SELECT e.position, e.stream_id, e.revision, e.event_id, e.type, e.data, e.metadata, NULL::bigint
    FROM events e
    WHERE e.position > p_after AND e.transaction_id < v_horizon
    ORDER BY e.position LIMIT p_limit;
  RETURN QUERY
    SELECT NULL::bigint, NULL::text, NULL::bigint, NULL::uuid, NULL::text, NULL::jsonb, NULL::jsonb,
           coalesce((SELECT max(e.position) FROM events e), 0);
END;
$$;
