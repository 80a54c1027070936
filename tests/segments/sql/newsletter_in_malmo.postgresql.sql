SELECT count(*) AS count_1
FROM (
  SELECT contacts.id AS id
  FROM contacts
  WHERE contacts.erased_on IS NULL AND EXISTS (
    SELECT 1
    FROM jsonb_array_elements(contacts.consents) AS c
    WHERE c->>'id' = 'newsletter' AND (c->'value') = to_jsonb(CAST(true AS boolean))) AND jsonb_typeof((contacts.attributes -> 'city')) = 'string' AND CAST((contacts.attributes ->> 'city') AS VARCHAR) = 'Malmö') AS anon_1
