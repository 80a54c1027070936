-- Receipts of 3 lines and one payment, each with a new uniqueReceiptId (run, thread, counter),
-- for a random seeded contact, at the seeded physical store.
local contacts = {}
local counter = 0
local run, created = "", ""
local LINE = '{"type": "PURCHASE", "sku": "SKU-%d", "articleNumber": "A-%d", "articleName": "Article %d", '
  .. '"articleGroup": "Bench", "quantity": 1, "grossPaidPrice": %d, "taxAmount": %d, "taxPercent": 25}'
local RECEIPT = '{"uniqueReceiptId": "%s-%d-%d", "receiptNumber": "%d", "createdDate": "%s", '
  .. '"storeExternalId": "BENCH-STORE", "currency": "SEK", "totalGrossPrice": 60, '
  .. '"contact": {"matchKey": "%s", "matchKeyType": "ContactId"}, '
  .. '"paymentMethods": [{"type": "Card", "value": 60}], "items": [%s]}'
local items = string.format(LINE, 1, 1, 1, 10, 2) .. ", " .. string.format(LINE, 2, 2, 2, 20, 4)
  .. ", " .. string.format(LINE, 3, 3, 3, 30, 6)
function init(args)
  common_init(args)
  contacts = read_lines(args[2])
  run = args[3]
  created = os.date("!%Y-%m-%dT%H:%M:%SZ")
end
function request()
  counter = counter + 1
  local contact = contacts[math.random(#contacts)]
  local body = string.format(RECEIPT, run, thread_id, counter, counter, created, contact, items)
  return wrk.format("POST", "/api/v3/receipts", nil, body)
end
