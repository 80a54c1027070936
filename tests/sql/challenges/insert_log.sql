INSERT INTO challenge_checkpoints (contact_id, definition_id, amount, kind, source, receipt_id, recorded_on)
SELECT contact_id, definition_id, amount, CAST(:kind AS text), CAST(:source AS text), CAST(:receipt_id AS uuid), CAST(:at AS timestamptz)
FROM unnest(CAST(:contact_id AS uuid[]), CAST(:definition_id AS uuid[]), CAST(:amount AS integer[])) WITH ORDINALITY AS t(contact_id, definition_id, amount, n)
ORDER BY n
