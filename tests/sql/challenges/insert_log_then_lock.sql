WITH logged AS (
  INSERT INTO challenge_checkpoints (contact_id, definition_id, amount, kind, source, receipt_id, recorded_on)
  SELECT contact_id, definition_id, amount, CAST(:kind AS text), CAST(:source AS text), CAST(:receipt_id AS uuid), CAST(:at AS timestamptz)
  FROM unnest(CAST(:contact_id AS uuid[]), CAST(:definition_id AS uuid[]), CAST(:amount AS integer[])) WITH ORDINALITY AS t(contact_id, definition_id, amount, n)
  ORDER BY n
  RETURNING id, contact_id, definition_id)
SELECT (
  SELECT array_agg(id
    ORDER BY id)
  FROM logged), (
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
      ORDER BY k) AS ordered) AS locked)
