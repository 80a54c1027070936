-- Contact creates, each with a new externalId (run, thread, counter), so none collide.
local counter = 0
thread_id = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end
function init(args)
  wrk.headers["apikey"] = args[1]
  wrk.headers["Content-Type"] = "application/json"
  run = args[2]
end
function request()
  counter = counter + 1
  local body = string.format('{"externalId": "%s-%d-%d", "firstName": "Bench"}', run, thread_id, counter)
  return wrk.format("POST", "/api/v3/contacts", nil, body)
end
