-- wrk script for `make load` (scripts/load_test.py). LOAD_PATHS names a file of "group path" lines, the
-- request schedule; each thread walks it in turn from its own starting point. Every request carries an
-- X-Request-ID "load.<group>.<thread>.<n>", which the site echoes (and logs), so each response is counted
-- under its group by exact status even though the connections answer out of order. done() prints one
-- JSON line: totals, socket errors, latency percentiles (µs) and {group: {status: count}}.
local entries = {}
local counter = 0
local threads = {}
-- "group status" -> count. Global, so that done() can read each thread's copy through thread:get; flat,
-- because wrk 4.1's thread:get crashes copying a table of tables.
counts = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(os.getenv("LOAD_PATHS"), "LOAD_PATHS is not set")
  for line in io.lines(file) do
    local group, path = line:match("^(%S+) (%S+)$")
    if group then table.insert(entries, {group, path}) end
  end
  assert(#entries > 0, "no paths in LOAD_PATHS")
  counter = (id or 0) * 7919
end

function request()
  counter = counter + 1
  local entry = entries[(counter % #entries) + 1]
  local rid = "load." .. entry[1] .. "." .. (id or 0) .. "." .. counter
  return wrk.format("GET", entry[2], {["X-Request-ID"] = rid})
end

function response(status, headers, body)
  local rid = headers["X-Request-ID"] or headers["x-request-id"] or ""
  local key = (rid:match("^load%.([%w-]+)%.") or "unattributed") .. " " .. status
  counts[key] = (counts[key] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    for key, n in pairs(thread:get("counts")) do
      local group, status = key:match("^(%S+) (%d+)$")
      merged[group] = merged[group] or {}
      merged[group][status] = (merged[group][status] or 0) + n
    end
  end
  local parts = {}
  for group, by_status in pairs(merged) do
    local inner = {}
    for status, n in pairs(by_status) do
      table.insert(inner, string.format('"%s": %d', status, n))
    end
    table.insert(parts, string.format('"%s": {%s}', group, table.concat(inner, ", ")))
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
      .. '"latency_us": {"p50": %d, "p90": %d, "p95": %d, "p99": %d, "p999": %d, "max": %d, "mean": %.1f}, '
      .. '"groups": {%s}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99),
    latency:percentile(99.9), latency.max, latency.mean, table.concat(parts, ", ")))
end
