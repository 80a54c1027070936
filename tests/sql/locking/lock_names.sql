SELECT count(*)
FROM (
  SELECT pg_advisory_xact_lock(k)
  FROM (
    SELECT DISTINCT hashtextextended(name, 0) AS k
    FROM unnest(CAST(:names AS text[])) AS name
    ORDER BY k) AS ordered) AS locked
