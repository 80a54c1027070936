SELECT t.id
FROM unnest(CAST(:ids AS uuid[])) AS t(id)
CROSS
JOIN LATERAL (
  SELECT 1
  FROM contacts AS c
  WHERE c.id = t.id AND c.erased_on IS NULL) AS found
