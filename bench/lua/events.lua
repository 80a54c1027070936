-- Custom events of the campaigns dialect: a random seeded customer's order, with a new
-- event_id (run, thread, counter) and a total the rules' conditions and sums read.
local customers = {}
local counter = 0
local run = ""
function init(args)
  common_init(args)
  customers = read_lines(args[2])
  run = args[3]
end
function request()
  counter = counter + 1
  local body = string.format(
    '{"event_name": "order_success", "source_id": "%s", "event_id": "%s-%d-%d", "metadata": {"order_total": "%d"}}',
    customers[math.random(#customers)], run, thread_id, counter, 50 + math.random(400))
  return wrk.format("POST", "/events/invoke", nil, body)
end
