-- parameters: match, store_external_id, id, unique_receipt_id, fingerprint, receipt_number, created_date, currency, total_gross_price, exchange_rate_to_group_currency, used_promotions, extra_data, recorded_on, line_id, line_position, line_type, line_sku, line_article_number, line_article_name, line_article_group, line_quantity, line_gross_paid_price, line_tax_amount, line_tax_percent, line_discounts, line_extra_data, payment_id, payment_position, payment_type, payment_value, payment_description, event_id, event_type, event_data
WITH contact AS (
  SELECT id
  FROM contacts
  WHERE email = $1 AND erased_on IS NULL), store AS (
  SELECT type
  FROM stores
  WHERE external_id = $2), receipt AS (
  INSERT INTO receipts (contact_id, id, unique_receipt_id, fingerprint, store_external_id, receipt_number, created_date, currency, total_gross_price, exchange_rate_to_group_currency, used_promotions, extra_data, recorded_on)
  SELECT contact.id, $3, $4, $5, $2, $6, $7, $8, $9, $10, CAST($11 AS jsonb), CAST($12 AS jsonb), $13
  FROM contact, store
  ON CONFLICT (unique_receipt_id) DO NOTHING
  RETURNING id, contact_id), lines AS (
  INSERT INTO receipt_lines (receipt_id, contact_id, id, position, type, sku, article_number, article_name, article_group, quantity, gross_paid_price, tax_amount, tax_percent, discounts, extra_data)
  SELECT receipt.id, receipt.contact_id, line.id, line.position, line.type, line.sku, line.article_number, line.article_name, line.article_group, line.quantity, line.gross_paid_price, line.tax_amount, line.tax_percent, CAST(line.discounts AS jsonb), CAST(line.extra_data AS jsonb)
  FROM receipt, unnest(CAST($14 AS uuid[]), CAST($15 AS integer[]), CAST($16 AS text[]), CAST($17 AS text[]), CAST($18 AS text[]), CAST($19 AS text[]), CAST($20 AS text[]), CAST($21 AS numeric[]), CAST($22 AS numeric[]), CAST($23 AS numeric[]), CAST($24 AS numeric[]), CAST($25 AS text[]), CAST($26 AS text[])) AS line(id, position, type, sku, article_number, article_name, article_group, quantity, gross_paid_price, tax_amount, tax_percent, discounts, extra_data)), payments AS (
  INSERT INTO receipt_payments (receipt_id, contact_id, id, position, type, value, description)
  SELECT receipt.id, receipt.contact_id, payment.id, payment.position, payment.type, payment.value, payment.description
  FROM receipt, unnest(CAST($27 AS uuid[]), CAST($28 AS integer[]), CAST($29 AS text[]), CAST($30 AS numeric[]), CAST($31 AS text[])) AS payment(id, position, type, value, description)), event AS (
  INSERT INTO outbox_events (id, type, occurred_at, contact_id, data)
  SELECT $32, $33, $13, receipt.contact_id, jsonb_set(CAST($34 AS jsonb), '{contactId}', to_jsonb(receipt.contact_id))
  FROM receipt)
SELECT (
  SELECT id
  FROM contact) AS contact_id, (
  SELECT type
  FROM store) AS store_type, EXISTS (
  SELECT
  FROM receipt) AS stored
