SELECT count(*) AS count_1
FROM (
  SELECT contacts.id AS id
  FROM contacts
  WHERE contacts.erased_on IS NULL AND contacts.contact_type = 'Member' AND ((
      SELECT coalesce(sum(point_transactions.amount), 0) AS coalesce_1
      FROM point_transactions
      JOIN point_accounts ON point_accounts.id = point_transactions.account_id
      WHERE point_accounts.contact_id = contacts.id AND point_accounts.definition_id = 1 AND point_transactions.valid_from <= '2026-06-01 12:00:00+00:00' AND (point_transactions.valid_to IS NULL OR point_transactions.valid_to > '2026-06-01 12:00:00+00:00')) >= 1000 OR contacts.id IN (
      SELECT receipt_lines.contact_id
      FROM receipt_lines
      JOIN receipts ON receipts.id = receipt_lines.receipt_id
      WHERE receipt_lines.type IN ('PURCHASE', 'RETURN') AND receipts.created_date >= '2025-12-31 23:00:00+00:00'
      GROUP BY receipt_lines.contact_id HAVING sum(receipt_lines.gross_paid_price) > 10000))) AS anon_1
