-- wrk script: POSTs the file named by $BODY_FILE to the URL and counts answers by status class.
-- done() prints one "RESULT key=value ..." line that run.sh turns into a table row.
local file = assert(io.open(assert(os.getenv("BODY_FILE"), "BODY_FILE is not set"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
wrk.headers["Content-Type"] = "application/octet-stream"
file:close()

-- Each wrk thread runs its own Lua state; setup() keeps a handle on each so that done() can sum their counters.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  ok, busy, other = 0, 0, 0
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
  elseif status == 503 then
    busy = busy + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local ok_sum, busy_sum, other_sum = 0, 0, 0
  for _, thread in ipairs(threads) do
    ok_sum = ok_sum + thread:get("ok")
    busy_sum = busy_sum + thread:get("busy")
    other_sum = other_sum + thread:get("other")
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d ok=%d s503=%d other=%d socket_errors=%d timeouts=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), ok_sum, busy_sum, other_sum,
    e.connect + e.read + e.write, e.timeout))
end
