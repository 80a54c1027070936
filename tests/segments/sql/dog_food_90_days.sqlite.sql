SELECT count(*) AS count_1
FROM (
  SELECT contacts.id AS id
  FROM contacts
  WHERE contacts.erased_on IS NULL AND contacts.id IN (
    SELECT receipt_lines.contact_id
    FROM receipt_lines
    JOIN receipts ON receipts.id = receipt_lines.receipt_id
    WHERE receipt_lines.type IN ('PURCHASE') AND receipts.created_date >= '2026-03-03 12:00:00.000000' AND (receipt_lines.article_number IN (
        SELECT articles.article_number
        FROM articles
        WHERE articles.article_group IN ('Dog food')) OR receipt_lines.article_group IN ('Dog food') AND (receipt_lines.article_number NOT IN (
          SELECT articles.article_number
          FROM articles
          WHERE articles.article_group IS NOT NULL))))) AS anon_1
