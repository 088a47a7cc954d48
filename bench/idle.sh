#!/usr/bin/env bash
# Benchmark: what an idle stack costs. Starts the AppHost as a developer runs it (`dotnet run`, Release, the dashboard
# and DCP included; bench/stack.sh), lets it settle for IDLE_SETTLE seconds, then counts the CPU seconds every process
# of the stack uses over IDLE_SECONDS with nothing sent to it (bench/cpu_sample.py, from /proc). Writes
# bench/results/idle.json: cores busy in all and by process (1.0 is one core). 127.0.0.1 only, stops everything it started.
#   IDLE_SECONDS=60 bash bench/idle.sh        (IDLE_NO_BUILD=1 when the Release build is fresh)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
IDLE_SETTLE=${IDLE_SETTLE:-30}
IDLE_SECONDS=${IDLE_SECONDS:-60}
IDLE_OUT=${IDLE_OUT:-bench/results/idle.json}
STACK_NAME=idle STACK_NO_BUILD=${IDLE_NO_BUILD:-}
# shellcheck source=bench/stack.sh
source bench/stack.sh

# Start-up (migrations, JIT, the dashboard's first page of resources) is not idling.
sleep "$IDLE_SETTLE"
load=$(cut -d' ' -f1-3 /proc/loadavg)
# What the services were told (the AppHost sets it under `dotnet run`): how often each exports its metrics.
wf_pid=$(pgrep -f "$ROOT/FlexyPe.Workflows/bin/Release" | head -n 1 || true)
interval=$(tr '\0' '\n' </proc/"$wf_pid"/environ 2>/dev/null | sed -n 's/^OTEL_METRIC_EXPORT_INTERVAL=//p' || true)
python3 bench/cpu_sample.py snap bench/results/idle.cpu0.tmp
sleep "$IDLE_SECONDS"
python3 bench/cpu_sample.py diff bench/results/idle.cpu0.tmp $$ "$dcp_pid" >bench/results/idle.cpu.tmp
python3 - "$load" "$IDLE_SECONDS" "$IDLE_OUT" "${interval:-}" <<'PY'
import json, sys
load, seconds, out, interval = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
cpu = json.load(open("bench/results/idle.cpu.tmp"))
res = {
    "what": "the whole stack under `dotnet run` (AppHost, DCP, dashboard, Postgres, Redis, smtp4dev, the three services) "
            "with nothing sent to it; cores busy = CPU seconds / wall seconds (1.0 is one core)",
    "seconds": seconds,
    "cores_busy_total": round(sum(cpu.values()) / seconds, 3),
    "cores_busy_by_process": {k: round(v / seconds, 3) for k, v in sorted(cpu.items(), key=lambda kv: -kv[1])},
    "loadavg_before": load.split(),
    "loadavg_after": open("/proc/loadavg").read().split()[:3],
    "metric_export_interval_ms": int(interval) if interval else None,
}
print(json.dumps(res, indent=2))
json.dump(res, open(out, "w"), indent=2)
PY
rm -f bench/results/idle.cpu0.tmp bench/results/idle.cpu.tmp
