-- Checkpoint batches of 1000 rows (random seeded contacts, 5 definitions, amounts 1-3), read
-- pre-generated from a file; the threads take turns through them.
local bodies = {}
local position, stride = 1, 1
function init(args)
  common_init(args)
  bodies = read_lines(args[2])
  stride = tonumber(args[4])
  position = thread_id
end
function request()
  local body = bodies[(position - 1) % #bodies + 1]
  position = position + stride
  return wrk.format("POST", "/api/v3/challenges/checkpoints", nil, body)
end
