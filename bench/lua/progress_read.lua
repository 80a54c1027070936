-- An end user reading their own challenge progress: a random member of those with a token
-- (lines "token account contact"); the floor server reads the contact from the query.
local members = {}
function init(args)
  common_init(args)
  wrk.headers["apikey"] = nil
  for _, line in ipairs(read_lines(args[2])) do
    local token, account, contact = line:match("(%S+) (%S+) (%S+)")
    members[#members + 1] = {token = token, account = account, contact = contact}
  end
end
function request()
  local member = members[math.random(#members)]
  local headers = {["x-enduser-access-token"] = member.token, ["x-account-id"] = member.account}
  return wrk.format("GET", "/schema/challenge_progress/record?contactId=" .. member.contact, headers)
end
