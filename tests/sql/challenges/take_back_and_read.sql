WITH removed AS (
  DELETE
  FROM challenge_checkpoints AS l
  USING unnest(CAST(:contact_id AS uuid[]), CAST(:definition_id AS uuid[])) WITH ORDINALITY AS t(contact_id, definition_id, n)
  WHERE l.id = ANY(CAST(:ids AS bigint[])) AND l.contact_id = t.contact_id AND l.definition_id = t.definition_id
  RETURNING 1)
SELECT t.n, c.id, c.cycle, c.completed_checkpoints, c.status, c.started_on, c.ends_on, c.completed_on, c.latest_checkpoint_on, c.row_version, c.row_address
FROM unnest(CAST(:contact_id AS uuid[]), CAST(:definition_id AS uuid[])) WITH ORDINALITY AS t(contact_id, definition_id, n)
CROSS
JOIN LATERAL (
  SELECT challenge.*, challenge.xmin AS row_version, CAST(challenge.ctid AS text) AS row_address
  FROM challenges AS challenge
  WHERE challenge.contact_id = t.contact_id AND challenge.definition_id = t.definition_id AND challenge.is_current
  ORDER BY challenge.cycle DESC
  LIMIT 1) AS c
