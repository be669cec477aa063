-- The projection runner's fence, checked by PostgreSQL: it locks a group's checkpoints and raises when any of
-- them is not where this leader last committed it (another node, a rebuild's swap or a retried parked event
-- moved it). Raised in SQL, the check no longer needs its answer read before the batch's statements, checkpoints
-- and commit are sent: a send's batch is one round trip (infrastructure/projections/projection-runner.ts).
CREATE OR REPLACE FUNCTION derbel_projection_fence(p_names text[], p_positions bigint[], p_generations bigint[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_moved text;
BEGIN
  PERFORM 1 FROM projection_checkpoints WHERE name = ANY(p_names) ORDER BY name FOR UPDATE;
  SELECT c.name INTO v_moved
    FROM projection_checkpoints c
    JOIN unnest(p_names, p_positions, p_generations) AS e(name, position, generation) ON e.name = c.name
   WHERE c.position <> e.position OR c.generation <> e.generation
   ORDER BY c.name LIMIT 1;
  IF v_moved IS NOT NULL THEN
    RAISE EXCEPTION 'projection % was moved by another node, a rebuild or a retried parked event', v_moved
      USING ERRCODE = 'DB412';
  END IF;
END;
$$;
