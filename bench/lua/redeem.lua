-- Redeem at the till, each seeded assignment once: thread k takes ids k, k + threads, ...
-- Past the end of the list a thread repeats the last id; those 409s show as errors.
local ids = {}
local position, stride = 1, 1
function init(args)
  common_init(args)
  ids = read_lines(args[2])
  stride = tonumber(args[4])
  position = thread_id
end
function request()
  local id = ids[position] or ids[#ids]
  position = position + stride
  return wrk.format("POST", "/api/v3/promotion-assignments/" .. id .. "/redeem", nil, '{"redemptionChannel": "POS"}')
end
