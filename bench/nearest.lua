-- wrk script: cycle through the request paths in the file given after "--", report as JSON.
local paths = {}
local counter = 0

function init(args)
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  -- each thread starts at a different place in the list
  counter = math.random(#paths)
end

function request()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"socket_errors": %d, "non_2xx": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.connect + errors.read + errors.write + errors.timeout, errors.status))
end
