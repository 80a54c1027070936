-- Contact creates, each with a new externalId (run, thread, counter), so none collide.
local counter = 0
local run = ""
function init(args)
  common_init(args)
  run = args[3]
end
function request()
  counter = counter + 1
  local body = string.format('{"externalId": "%s-%d-%d", "firstName": "Bench"}', run, thread_id, counter)
  return wrk.format("POST", "/api/v3/contacts", nil, body)
end
