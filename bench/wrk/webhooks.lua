-- wrk script for bench/: POSTs the simulator's payload mix (PAYLOADS, written by `flexype-simulator payloads`) with
-- FlexyPe's headers and a new X-Event-Id on every request, so no target can answer from a dedupe cache.
-- Environment: PAYLOADS (file), WEBHOOK_PATH (/webhooks/flexype or /webhook), FLEXYPE_WEBHOOK_SECRET, RUN_ID.
local payloads = dofile(os.getenv("PAYLOADS"))
local path = os.getenv("WEBHOOK_PATH") or "/webhooks/flexype"
local secret = os.getenv("FLEXYPE_WEBHOOK_SECRET") or ""
local run = os.getenv("RUN_ID") or tostring(os.time())
local count = #payloads
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  local p = payloads[((counter * 7) + (id or 0) * 131) % count + 1]
  local headers = {
    ["Content-Type"] = "application/json",
    ["X-Flexype-Authorization"] = secret,
    ["X-Event-Id"] = string.format("evt_%s_%d_%d", run, id or 0, counter),
  }
  if p.version then
    headers["X-Webhook-Version"] = p.version
  end
  return wrk.format("POST", path, headers, p.body)
end

-- One JSON line for bench/summarize.py.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_s":%.3f,"rps":%.1f,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_ms":{"p50":%.3f,"p90":%.3f,"p99":%.3f,"max":%.3f,"mean":%.3f}}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6), summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000))
end
