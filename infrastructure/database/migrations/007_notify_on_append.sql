-- Subscribers wake on `NOTIFY derbel_events`. The appending transaction now sends it itself, delivered at
-- its commit, once per INSERT into `events` (an append batch is one INSERT), where the appender used to
-- send it in a round trip of its own after each commit. Rows written straight into `events` (`events
-- import`, `events seed`) wake subscribers too.
-- A notifying commit holds a cluster-wide lock until it ends; each node has at most one append batch in
-- flight, so few commits ever meet there.
CREATE FUNCTION derbel_notify_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('derbel_events', '');
  RETURN NULL;
END;
$$;

CREATE TRIGGER events_notify AFTER INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION derbel_notify_events();
