SELECT count(*) AS count_1
FROM (
  SELECT contacts.id AS id
  FROM contacts
  WHERE contacts.erased_on IS NULL AND contacts.id IN (
    SELECT receipts.contact_id
    FROM receipts
    GROUP BY receipts.contact_id HAVING max(receipts.created_date) < '2025-12-03 12:00:00.000000') AND json_type(contacts.preferences, '$."acceptsEmail"') = 'true') AS anon_1
