#!/usr/bin/env bash
# An allocation profile of Ingest's request path, as deployed with Workflows paused (as in ingest_latency.sh): the
# simulator's payload mix at ALLOC_RATE requests/s, open loop. Over one load round of ALLOC_SECONDS, dotnet-counters (from
# the tool manifest) reads how fast Ingest allocates (the runtime's dotnet.gc.heap.total_allocated, and the GC counts);
# over another, dotnet-trace's gc-verbose profile samples what it allocates (an allocation tick about every 100 KB,
# naming the type), which bench/AllocProfile sums by type. Writes bench/results/ingest-alloc.json; stops what it started.
#   ALLOC_RATE=1000 ALLOC_SECONDS=20 bash bench/ingest_alloc.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ALLOC_RATE=${ALLOC_RATE:-1000}
ALLOC_SECONDS=${ALLOC_SECONDS:-20}
ALLOC_OUT=${ALLOC_OUT:-bench/results/ingest-alloc.json}
SIM=tools/FlexyPe.Simulator/bin/Release/net10.0/flexype-simulator
PROFILE=bench/AllocProfile/bin/Release/net10.0/alloc-profile
# shellcheck source=bench/deployed_up.sh
source bench/deployed_up.sh
deployed_secrets
DATA_DIR=$(mktemp -d /tmp/flexype-alloc-XXXXXX); chmod 755 "$DATA_DIR"
REPORTS=$(mktemp -d)
[ -n "${ALLOC_NO_BUILD:-}" ] || for p in FlexyPe.Ingest FlexyPe.Workflows FlexyPe.Notifier tools/FlexyPe.Simulator bench/Sending bench/OtlpSink bench/AllocProfile; do
  dotnet build -c Release -v q --nologo "$p" >/dev/null
done
bash scripts/restore-tools.sh >/dev/null
deployed_up_paused "$DATA_DIR" bench/results/alloc.deployed.log.tmp "$REPORTS"
INGEST_PID=$(pgrep -f '^./FlexyPe.Ingest' | head -n 1)

load() { # seconds report
  "$SIM" load --url http://127.0.0.1:5110/webhooks/flexype --rate "$ALLOC_RATE" --duration "$1" --concurrency 64 \
    --version mixed --seed 2026 --run-id "alloc$RANDOM$1" --timeout 10 --quiet --report "$2" >/dev/null
}
load 5 "$REPORTS/warmup.json"

duration=$(printf '00:00:%02d' "$ALLOC_SECONDS")
dotnet dotnet-counters collect -p "$INGEST_PID" --counters System.Runtime --refresh-interval 1 --duration "$duration" \
  --format json -o "$REPORTS/counters.json" >/dev/null &
counters=$!
load "$ALLOC_SECONDS" "$REPORTS/counted.json"
wait "$counters"

dotnet dotnet-trace collect -p "$INGEST_PID" --profile gc-verbose --duration "$duration" -o "$REPORTS/alloc.nettrace" >/dev/null &
tracing=$!
load "$ALLOC_SECONDS" "$REPORTS/traced.json"
wait "$tracing"
traced_requests=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["load"]["requests"])' "$REPORTS/traced.json")
"$PROFILE" "$REPORTS/alloc.nettrace" "$traced_requests" "$REPORTS/types.json" 30

python3 - "$REPORTS" "$ALLOC_OUT" "$ALLOC_RATE" "$ALLOC_SECONDS" <<'PY'
import datetime, json, statistics, sys
reports, out, rate, seconds = sys.argv[1:]
counted = json.load(open(f"{reports}/counted.json"))["load"]
events = json.load(open(f"{reports}/counters.json"))["Events"]
def series(prefix):
    return [e["value"] for e in events if e["name"].startswith(prefix)]
# Each reading is what the counter rose by in its one-second interval; the first and last may be cut short.
allocated = series("dotnet.gc.heap.total_allocated")[1:-1]
achieved = counted["achieved_rate"]
collections = {}
for e in events:
    if e["name"].startswith("dotnet.gc.collections"):
        generation = (e.get("tags") or "all").split("=")[-1]
        collections[generation] = collections.get(generation, 0) + e["value"]
res = {
    "what": "Ingest as deployed (bench/deployed.sh) with Workflows paused (SIGSTOP), flexype-simulator load at a fixed rate, "
            "open loop, the payload mix; dotnet-counters over one round, dotnet-trace --profile gc-verbose over the next",
    "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    "rate_per_second": int(rate), "seconds_per_round": int(seconds),
    "achieved_rate": achieved, "not_ok": counted.get("not_ok"),
    "allocated_bytes_per_second": round(statistics.mean(allocated)) if allocated else None,
    "allocated_bytes_per_request": round(statistics.mean(allocated) / achieved) if allocated and achieved else None,
    "gc_collections_in_round": dict(sorted(collections.items())),
    "sampled": json.load(open(f"{reports}/types.json")),
}
json.dump(res, open(out, "w"), indent=2)
print(json.dumps({k: v for k, v in res.items() if k != "sampled"}, indent=2))
PY
