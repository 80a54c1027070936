WITH logged AS (
  INSERT INTO challenge_checkpoints (contact_id, definition_id, amount, kind, source, receipt_id, recorded_on)
  SELECT contact_id, definition_id, amount, CAST(:kind AS text), CAST(:source AS text), CAST(:receipt_id AS uuid), CAST(:at AS timestamptz)
  FROM unnest(CAST(:contact_id AS uuid[]), CAST(:definition_id AS uuid[]), CAST(:amount AS integer[])) WITH ORDINALITY AS t(contact_id, definition_id, amount, n)
  ORDER BY n
  RETURNING id, contact_id, definition_id), locked AS MATERIALIZED (
  SELECT (
    SELECT count(*)
    FROM (
      SELECT pg_advisory_xact_lock(k)
      FROM (
        SELECT DISTINCT hashtextextended(CAST(:lock_namespace AS text) || ':' || CAST(first AS text) || ':' || CAST(second AS text), 0) AS k
        FROM (
          SELECT contact_id, definition_id
          FROM logged
          UNION ALL
          SELECT *
          FROM unnest(CAST(:also_contact_id AS uuid[]), CAST(:also_definition_id AS uuid[]))) AS pair(first, second)
        ORDER BY k) AS ordered) AS locked) AS locks), updated AS (
  UPDATE challenges AS c
  SET cycle = t.cycle, completed_checkpoints = t.completed_checkpoints, status = t.status, started_on = t.started_on, ends_on = t.ends_on, completed_on = t.completed_on, latest_checkpoint_on = t.latest_checkpoint_on, is_current = t.is_current
  FROM unnest(CAST(:u_id AS uuid[]), CAST(:u_cycle AS integer[]), CAST(:u_completed_checkpoints AS integer[]), CAST(:u_status AS integer[]), CAST(:u_started_on AS timestamptz[]), CAST(:u_ends_on AS timestamptz[]), CAST(:u_completed_on AS timestamptz[]), CAST(:u_latest_checkpoint_on AS timestamptz[]), CAST(:u_is_current AS boolean[]), CAST(:u_was_version AS xid[]), CAST(CAST(:u_row_address AS text[]) AS tid[])) WITH ORDINALITY AS t(id, cycle, completed_checkpoints, status, started_on, ends_on, completed_on, latest_checkpoint_on, is_current, was_version, row_address, n)
  WHERE (
    SELECT locks
    FROM locked) IS NOT NULL AND c.ctid = t.row_address AND c.id = t.id AND c.is_current AND c.xmin = t.was_version
  RETURNING c.id), counted AS (
  UPDATE challenges AS c
  SET completed_checkpoints = t.completed_checkpoints, latest_checkpoint_on = CAST(:p_at AS timestamptz)
  FROM unnest(CAST(:p_id AS uuid[]), CAST(:p_completed_checkpoints AS integer[]), CAST(:p_was_version AS xid[]), CAST(CAST(:p_row_address AS text[]) AS tid[])) WITH ORDINALITY AS t(id, completed_checkpoints, was_version, row_address, n)
  WHERE (
    SELECT locks
    FROM locked) IS NOT NULL AND c.ctid = t.row_address AND c.id = t.id AND c.is_current AND c.xmin = t.was_version
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
  JOIN challenges AS challenge ON challenge.id = left_alone.id)
SELECT (
  SELECT array_agg(id
    ORDER BY id)
  FROM logged), ARRAY(
  SELECT contact_id
  FROM pairs), ARRAY(
  SELECT definition_id
  FROM pairs)
