WITH updated AS (
  UPDATE challenges AS c
  SET cycle = t.cycle, completed_checkpoints = t.completed_checkpoints, status = t.status, started_on = t.started_on, ends_on = t.ends_on, completed_on = t.completed_on, latest_checkpoint_on = t.latest_checkpoint_on, is_current = t.is_current
  FROM unnest(CAST(:u_id AS uuid[]), CAST(:u_cycle AS integer[]), CAST(:u_completed_checkpoints AS integer[]), CAST(:u_status AS integer[]), CAST(:u_started_on AS timestamptz[]), CAST(:u_ends_on AS timestamptz[]), CAST(:u_completed_on AS timestamptz[]), CAST(:u_latest_checkpoint_on AS timestamptz[]), CAST(:u_is_current AS boolean[]), CAST(:u_was_version AS xid[]), CAST(CAST(:u_row_address AS text[]) AS tid[])) WITH ORDINALITY AS t(id, cycle, completed_checkpoints, status, started_on, ends_on, completed_on, latest_checkpoint_on, is_current, was_version, row_address, n)
  WHERE TRUE AND c.ctid = t.row_address AND c.id = t.id AND c.is_current AND c.xmin = t.was_version
  RETURNING c.id), counted AS (
  UPDATE challenges AS c
  SET completed_checkpoints = t.completed_checkpoints, latest_checkpoint_on = CAST(:p_at AS timestamptz)
  FROM unnest(CAST(:p_id AS uuid[]), CAST(:p_completed_checkpoints AS integer[]), CAST(:p_was_version AS xid[]), CAST(CAST(:p_row_address AS text[]) AS tid[])) WITH ORDINALITY AS t(id, completed_checkpoints, was_version, row_address, n)
  WHERE TRUE AND c.ctid = t.row_address AND c.id = t.id AND c.is_current AND c.xmin = t.was_version
  RETURNING c.id), inserted AS (
  INSERT INTO challenges (id, contact_id, definition_id, cycle, completed_checkpoints, status, started_on, ends_on, completed_on, latest_checkpoint_on, is_current, required_checkpoints)
  SELECT id, contact_id, definition_id, cycle, completed_checkpoints, status, started_on, ends_on, completed_on, latest_checkpoint_on, is_current, required_checkpoints
  FROM unnest(CAST(:i_id AS uuid[]), CAST(:i_contact_id AS uuid[]), CAST(:i_definition_id AS uuid[]), CAST(:i_cycle AS integer[]), CAST(:i_completed_checkpoints AS integer[]), CAST(:i_status AS integer[]), CAST(:i_started_on AS timestamptz[]), CAST(:i_ends_on AS timestamptz[]), CAST(:i_completed_on AS timestamptz[]), CAST(:i_latest_checkpoint_on AS timestamptz[]), CAST(:i_is_current AS boolean[]), CAST(:i_required_checkpoints AS integer[]), CAST(:i_origin AS uuid[])) WITH ORDINALITY AS t(id, contact_id, definition_id, cycle, completed_checkpoints, status, started_on, ends_on, completed_on, latest_checkpoint_on, is_current, required_checkpoints, origin, n)
  WHERE t.origin IN (
    SELECT id
    FROM updated)
  ORDER BY n
  RETURNING 1), left_alone AS (
  SELECT id
  FROM unnest(CAST(:u_id AS uuid[])) AS id
  WHERE id NOT IN (
    SELECT id
    FROM updated)
  UNION ALL
  SELECT id
  FROM unnest(CAST(:p_id AS uuid[])) AS id
  WHERE id NOT IN (
    SELECT id
    FROM counted)), pairs AS (
  SELECT DISTINCT challenge.contact_id, challenge.definition_id
  FROM left_alone
  JOIN challenges AS challenge ON challenge.id = left_alone.id), removed AS (
  DELETE
  FROM challenge_checkpoints AS l
  USING pairs
  WHERE EXISTS (
    SELECT
    FROM pairs) AND l.id = ANY(CAST(:log_ids AS bigint[])) AND l.contact_id = pairs.contact_id AND l.definition_id = pairs.definition_id
  RETURNING 1)
SELECT pairs.contact_id AS pair_contact_id, pairs.definition_id AS pair_definition_id, c.id, c.contact_id, c.definition_id, c.cycle, c.completed_checkpoints, c.status, c.started_on, c.ends_on, c.completed_on, c.latest_checkpoint_on
FROM pairs
LEFT
JOIN LATERAL (
  SELECT *
  FROM challenges AS challenge
  WHERE challenge.contact_id = pairs.contact_id AND challenge.definition_id = pairs.definition_id AND challenge.is_current
  ORDER BY challenge.cycle DESC
  LIMIT 1) AS c ON true
