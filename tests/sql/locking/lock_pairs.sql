SELECT (
  SELECT count(*)
  FROM (
    SELECT pg_advisory_xact_lock(k)
    FROM (
      SELECT DISTINCT hashtextextended(CAST(:lock_namespace AS text) || ':' || CAST(first AS text) || ':' || CAST(second AS text), 0) AS k
      FROM unnest(CAST(:firsts AS uuid[]), CAST(:seconds AS uuid[])) AS pair(first, second)
      ORDER BY k) AS ordered) AS locked)
