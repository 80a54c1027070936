SELECT count(*) AS count_1
FROM (
  SELECT contacts.id AS id
  FROM contacts
  WHERE contacts.erased_on IS NULL AND EXISTS (
    SELECT 1
    FROM json_each(contacts.consents) AS c
    WHERE json_extract(c.value, '$.id') = 'newsletter' AND json_extract(c.value, '$.value') = 1) AND json_type(contacts.attributes, '$."city"') = 'text' AND CAST(JSON_EXTRACT(contacts.attributes, '$."city"') AS VARCHAR) = 'Malmö') AS anon_1
