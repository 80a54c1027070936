-- Contact lookup by e-mail, spread at random over the seeded contacts bench-<n>@example.com.
local seeded = 1
function init(args)
  common_init(args)
  seeded = tonumber(args[2])
end
function request()
  local n = math.random(0, seeded - 1)
  return wrk.format("GET", "/api/v3/contacts/id?email=bench-" .. n .. "%40example.com")
end
