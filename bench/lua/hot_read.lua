-- The till's hot read: a random seeded contact's offers usable at the till (10 held, 7 POS).
local contacts = {}
function init(args)
  common_init(args)
  contacts = read_lines(args[2])
end
function request()
  local contact = contacts[math.random(#contacts)]
  return wrk.format("GET", "/api/v3/promotion-assignments?contactId=" .. contact .. "&redemptionChannelType=POS")
end
