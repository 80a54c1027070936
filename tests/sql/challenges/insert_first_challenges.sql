INSERT INTO challenges (id, contact_id, definition_id, cycle, completed_checkpoints, status, started_on, ends_on, completed_on, latest_checkpoint_on, is_current, required_checkpoints)
SELECT id, contact_id, definition_id, cycle, completed_checkpoints, status, started_on, ends_on, completed_on, latest_checkpoint_on, is_current, required_checkpoints
FROM unnest(CAST(:id AS uuid[]), CAST(:contact_id AS uuid[]), CAST(:definition_id AS uuid[]), CAST(:cycle AS integer[]), CAST(:completed_checkpoints AS integer[]), CAST(:status AS integer[]), CAST(:started_on AS timestamptz[]), CAST(:ends_on AS timestamptz[]), CAST(:completed_on AS timestamptz[]), CAST(:latest_checkpoint_on AS timestamptz[]), CAST(:is_current AS boolean[]), CAST(:required_checkpoints AS integer[])) WITH ORDINALITY AS t(id, contact_id, definition_id, cycle, completed_checkpoints, status, started_on, ends_on, completed_on, latest_checkpoint_on, is_current, required_checkpoints, n)
ORDER BY n
ON CONFLICT DO NOTHING
RETURNING contact_id, definition_id, xmin, CAST(ctid AS text)
