SELECT t.n, c.id, c.cycle, c.completed_checkpoints, c.status, c.started_on, c.ends_on, c.completed_on, c.latest_checkpoint_on, c.row_version, c.row_address
FROM unnest(CAST(:contact_id AS uuid[]), CAST(:definition_id AS uuid[])) WITH ORDINALITY AS t(contact_id, definition_id, n)
CROSS
JOIN LATERAL (
  SELECT card.*, card.xmin AS row_version, CAST(card.ctid AS text) AS row_address
  FROM challenges AS card
  WHERE card.contact_id = t.contact_id AND card.definition_id = t.definition_id AND card.is_current
  ORDER BY card.cycle DESC
  LIMIT 1) AS c
