-- An append's NOTIFY now carries its events (up to 32 of them and under PostgreSQL's 8000-byte payload
-- limit), so a subscriber that is up to date applies them without reading them back: one round trip, and
-- the read's look at pg_locks, fewer per append (infrastructure/event-store/postgres-event-notifier.ts).
-- A larger append (a batch of many, `events import`) notifies with an empty payload, as before: subscribers
-- read it. Positions in a payload may have gaps (concurrent appends interleave their sequence values):
-- subscribers apply a payload's events only while each follows the last they applied.
CREATE OR REPLACE FUNCTION derbel_notify_events() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_rows int;
  v_payload text;
BEGIN
  SELECT count(*) INTO v_rows FROM (SELECT 1 FROM appended LIMIT 33) a;
  IF v_rows <= 32 THEN
    SELECT json_agg(json_build_object('position', a.position, 'stream_id', a.stream_id, 'revision', a.revision,
             'event_id', a.event_id, 'type', a.type, 'data', a.data, 'metadata', a.metadata) ORDER BY a.position)::text
      INTO v_payload FROM appended a;
  END IF;
  IF v_payload IS NULL OR octet_length(v_payload) >= 7900 THEN
    v_payload := '';
  END IF;
  PERFORM pg_notify('derbel_events', v_payload);
  RETURN NULL;
END;
$$;

DROP TRIGGER events_notify ON events;
CREATE TRIGGER events_notify AFTER INSERT ON events REFERENCING NEW TABLE AS appended
  FOR EACH STATEMENT EXECUTE FUNCTION derbel_notify_events();
