WITH updated AS (
  UPDATE challenges AS c
  SET cycle = t.cycle, completed_checkpoints = t.completed_checkpoints, status = t.status, started_on = t.started_on, ends_on = t.ends_on, completed_on = t.completed_on, latest_checkpoint_on = t.latest_checkpoint_on, is_current = t.is_current
  FROM (
    SELECT t.*, probe.ctid AS challenge_ctid
    FROM unnest(CAST(:u_id AS uuid[]), CAST(:u_cycle AS integer[]), CAST(:u_completed_checkpoints AS integer[]), CAST(:u_status AS integer[]), CAST(:u_started_on AS timestamptz[]), CAST(:u_ends_on AS timestamptz[]), CAST(:u_completed_on AS timestamptz[]), CAST(:u_latest_checkpoint_on AS timestamptz[]), CAST(:u_is_current AS boolean[])) WITH ORDINALITY AS t(id, cycle, completed_checkpoints, status, started_on, ends_on, completed_on, latest_checkpoint_on, is_current, n)
    CROSS
    JOIN LATERAL (
      SELECT challenge.ctid
      FROM challenges AS challenge
      WHERE challenge.id = t.id AND TRUE
      OFFSET 0) AS probe) AS t
  WHERE c.ctid = t.challenge_ctid
  RETURNING 1), counted AS (
  UPDATE challenges AS c
  SET completed_checkpoints = t.completed_checkpoints, latest_checkpoint_on = CAST(:p_at AS timestamptz)
  FROM (
    SELECT t.*, probe.ctid AS challenge_ctid
    FROM unnest(CAST(:p_id AS uuid[]), CAST(:p_completed_checkpoints AS integer[])) WITH ORDINALITY AS t(id, completed_checkpoints, n)
    CROSS
    JOIN LATERAL (
      SELECT challenge.ctid
      FROM challenges AS challenge
      WHERE challenge.id = t.id AND TRUE
      OFFSET 0) AS probe) AS t
  WHERE c.ctid = t.challenge_ctid
  RETURNING 1), inserted AS (
  INSERT INTO challenges (id, contact_id, definition_id, cycle, completed_checkpoints, status, started_on, ends_on, completed_on, latest_checkpoint_on, is_current, required_checkpoints)
  SELECT id, contact_id, definition_id, cycle, completed_checkpoints, status, started_on, ends_on, completed_on, latest_checkpoint_on, is_current, required_checkpoints
  FROM unnest(CAST(:i_id AS uuid[]), CAST(:i_contact_id AS uuid[]), CAST(:i_definition_id AS uuid[]), CAST(:i_cycle AS integer[]), CAST(:i_completed_checkpoints AS integer[]), CAST(:i_status AS integer[]), CAST(:i_started_on AS timestamptz[]), CAST(:i_ends_on AS timestamptz[]), CAST(:i_completed_on AS timestamptz[]), CAST(:i_latest_checkpoint_on AS timestamptz[]), CAST(:i_is_current AS boolean[]), CAST(:i_required_checkpoints AS integer[])) WITH ORDINALITY AS t(id, contact_id, definition_id, cycle, completed_checkpoints, status, started_on, ends_on, completed_on, latest_checkpoint_on, is_current, required_checkpoints, n)
  ORDER BY n
  RETURNING 1), logged AS (
  INSERT INTO challenge_checkpoints (contact_id, definition_id, amount, kind, source, receipt_id, recorded_on)
  SELECT contact_id, definition_id, amount, CAST(:l_kind AS text), CAST(:l_source AS text), CAST(:l_receipt_id AS uuid), CAST(:l_at AS timestamptz)
  FROM unnest(CAST(:l_contact_id AS uuid[]), CAST(:l_definition_id AS uuid[]), CAST(:l_amount AS integer[])) WITH ORDINALITY AS t(contact_id, definition_id, amount, n)
  ORDER BY n
  RETURNING 1)
SELECT (
  SELECT count(*)
  FROM updated), (
  SELECT count(*)
  FROM counted), (
  SELECT count(*)
  FROM inserted), (
  SELECT count(*)
  FROM logged)
