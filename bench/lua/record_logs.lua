-- Challenge logs of the record dialect: a random seeded member, one of the live challenges,
-- a new uniqueIdentifier (run, thread, counter) and a value to sum.
local members, challenges = {}, {}
local counter = 0
local run = ""
function init(args)
  common_init(args)
  members = read_lines(args[2])
  challenges = read_lines(args[2] .. ".challenges")
  run = args[3]
end
function request()
  counter = counter + 1
  local body = string.format(
    '{"challengeId": "%s", "ownedById": "%s", "uniqueIdentifier": "%s-%d-%d", "activityValue": 25}',
    challenges[math.random(#challenges)], members[math.random(#members)], run, thread_id, counter)
  return wrk.format("POST", "/schema/challenge_log/record", nil, body)
end
