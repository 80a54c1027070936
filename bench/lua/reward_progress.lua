-- A web shop reading a customer's reward progress: a random customer of those with progress.
local customers = {}
function init(args)
  common_init(args)
  customers = read_lines(args[2])
end
function request()
  return wrk.format("GET", "/campaigns/reward-progress?source_id=" .. customers[math.random(#customers)])
end
