#!/usr/bin/env bash
# Benchmark: what an idle stack costs. Starts the AppHost as a developer runs it (`dotnet run`, Release, the dashboard
# and DCP included; bench/stack.sh) and counts the CPU seconds every process of the stack uses with nothing sent to it
# (bench/cpu_sample.py, from /proc), over two windows of IDLE_SECONDS:
#   - "after start": from IDLE_SETTLE seconds after every service answers /health;
#   - "idle" (the figure judged): from IDLE_WARM seconds after. For minutes after start each .NET process is still
#     JIT-compiling again, at tier 1, the code its periodic loops call (a method is recompiled after its 30th call,
#     and a loop that runs every few seconds gets there late): a profile of Workflows three minutes after start had
#     55% of its CPU samples on the tiered-compilation thread. That is start-up, not idling.
# Writes bench/results/idle.json: cores busy in all and by process (1.0 is one core) for both windows. 127.0.0.1 only,
# stops everything it started.
#   IDLE_SECONDS=60 IDLE_WARM=300 bash bench/idle.sh        (IDLE_NO_BUILD=1 when the Release build is fresh)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
IDLE_SETTLE=${IDLE_SETTLE:-30}
IDLE_WARM=${IDLE_WARM:-300}
IDLE_SECONDS=${IDLE_SECONDS:-60}
IDLE_OUT=${IDLE_OUT:-bench/results/idle.json}
STACK_NAME=idle STACK_NO_BUILD=${IDLE_NO_BUILD:-}
# shellcheck source=bench/stack.sh
source bench/stack.sh
up_at=$SECONDS

# Counts the CPU the stack's processes use over IDLE_SECONDS into the file $1, with the load average before it in $1.load.
measure() {
  cut -d' ' -f1-3 /proc/loadavg >"$1.load"
  python3 bench/cpu_sample.py snap "$1.snap"
  sleep "$IDLE_SECONDS"
  python3 bench/cpu_sample.py diff "$1.snap" $$ "$dcp_pid" >"$1"
  rm -f "$1.snap"
}

# Start-up (migrations, the dashboard's first page of resources) is not idling.
sleep "$IDLE_SETTLE"
# What the services were told (the AppHost sets it under `dotnet run`): how often each exports its metrics.
wf_pid=$(pgrep -f "$ROOT/FlexyPe.Workflows/bin/Release" | head -n 1 || true)
interval=$(tr '\0' '\n' </proc/"$wf_pid"/environ 2>/dev/null | sed -n 's/^OTEL_METRIC_EXPORT_INTERVAL=//p' || true)
measure bench/results/idle.start.tmp
sleep $((IDLE_WARM - (SECONDS - up_at) > 0 ? IDLE_WARM - (SECONDS - up_at) : 0))
measure bench/results/idle.warm.tmp
python3 - "$IDLE_SETTLE" "$IDLE_WARM" "$IDLE_SECONDS" "$IDLE_OUT" "${interval:-}" <<'PY'
import json, sys
settle, warm, seconds, out, interval = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]

def window(path, starts):
    cpu = json.load(open(path))
    return {
        "starts_seconds_after_up": starts,
        "cores_busy_total": round(sum(cpu.values()) / seconds, 3),
        "cores_busy_by_process": {k: round(v / seconds, 3) for k, v in sorted(cpu.items(), key=lambda kv: -kv[1])},
        "loadavg_before": open(path + ".load").read().split(),
    }

idle = window("bench/results/idle.warm.tmp", warm)
res = {
    "what": "the whole stack under `dotnet run` (AppHost, DCP, dashboard, Postgres, Redis, smtp4dev, the console, the three "
            "services) with nothing sent to it; cores busy = CPU seconds / wall seconds (1.0 is one core). The top-level "
            "figures are the idle window, once start-up's tier-1 JIT compiling has died down; after_start is the first minute",
    "seconds": seconds,
    "cores_busy_total": idle["cores_busy_total"],
    "cores_busy_by_process": idle["cores_busy_by_process"],
    "starts_seconds_after_up": warm,
    "loadavg_before": idle["loadavg_before"],
    "loadavg_after": open("/proc/loadavg").read().split()[:3],
    "after_start": window("bench/results/idle.start.tmp", settle),
    "metric_export_interval_ms": int(interval) if interval else None,
}
print(json.dumps(res, indent=2))
json.dump(res, open(out, "w"), indent=2)
PY
rm -f bench/results/idle.*.tmp bench/results/idle.*.tmp.load
