-- POSTs request bodies picked at random from a file (one JSON document a line), and prints
-- the run's figures as one JSON line at the end.
--
--   wrk -c32 -d10s --latency -s bench/wrk/post.lua http://127.0.0.1:8000/graphql -- \
--       bodies.jsonl "Bearer crm_..."
--
-- The Authorization header is left out when the second argument is empty.

local prepared = {}
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

function init(args)
  local headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }
  if args[2] ~= nil and args[2] ~= "" then
    headers["Authorization"] = args[2]
  end
  for line in io.lines(args[1]) do
    if line ~= "" then
      prepared[#prepared + 1] = wrk.format("POST", nil, headers, line)
    end
  end
  math.randomseed(os.time() * 31 + (thread_number or 0))
end

function request()
  return prepared[math.random(#prepared)]
end

function done(summary, latency, _)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, ' ..
    '"read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, errors.connect, errors.read,
    errors.write, errors.status, errors.timeout, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max))
end
