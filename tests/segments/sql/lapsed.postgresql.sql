SELECT count(*) AS count_1
FROM (
  SELECT contacts.id AS id
  FROM contacts
  WHERE contacts.erased_on IS NULL AND contacts.id IN (
    SELECT receipts.contact_id
    FROM receipts
    GROUP BY receipts.contact_id HAVING max(receipts.created_date) < '2025-12-03 12:00:00+00:00') AND jsonb_typeof((contacts.preferences -> 'acceptsEmail')) = 'boolean' AND CAST((contacts.preferences ->> 'acceptsEmail') AS VARCHAR) = 'true') AS anon_1
