-- Prepended to every scenario: thread numbers, seeded randomness, reading the harness's files.
-- Arguments after `--` are always: admin token, data (a file or a count), run id, wrk threads.
thread_id = 0
local started = 0
function setup(thread)
  started = started + 1
  thread:set("thread_id", started)
end

function read_lines(path)
  local values = {}
  for line in io.lines(path) do
    if line ~= "" then values[#values + 1] = line end
  end
  return values
end

function common_init(args)
  if args[1] then wrk.headers["apikey"] = args[1] end
  wrk.headers["Content-Type"] = "application/json"
  math.randomseed(os.time() * 100 + thread_id)
end
