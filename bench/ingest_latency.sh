#!/usr/bin/env bash
# Ingest's latency at a fixed rate, as deployed with Workflows paused: the figure of the goal
# `ingest.downstream_elsewhere.p99_ms_at_1000`, measured on its own. bench/run.sh measures it among part 1's fixed-rate
# runs, which come after every saturation round; this runs the same command (flexype-simulator load, the payload mix,
# open loop, concurrency 64, latency from each request's due time) on a fresh deployed stack (bench/deployed.sh), Workflows
# SIGSTOPped throughout: a 5 s warm-up at the rate, then LATENCY_ROUNDS rounds of LATENCY_SECONDS. Writes
# bench/results/ingest-latency.json (each round and the median round's p50 and p99). 127.0.0.1 only; stops what it started.
#   LATENCY_RATE=1000 LATENCY_SECONDS=20 LATENCY_ROUNDS=3 bash bench/ingest_latency.sh
set -euo pipefail
cd "$(dirname "$0")/.."
LATENCY_RATE=${LATENCY_RATE:-1000}
LATENCY_SECONDS=${LATENCY_SECONDS:-20}
LATENCY_ROUNDS=${LATENCY_ROUNDS:-3}
LATENCY_OUT=${LATENCY_OUT:-bench/results/ingest-latency.json}
SIM=tools/FlexyPe.Simulator/bin/Release/net10.0/flexype-simulator
# shellcheck source=bench/deployed_up.sh
source bench/deployed_up.sh
deployed_secrets
DATA_DIR=$(mktemp -d /tmp/flexype-latency-XXXXXX); chmod 755 "$DATA_DIR"
REPORTS=$(mktemp -d)
deployed_up_paused "$DATA_DIR" bench/results/latency.deployed.log.tmp "$REPORTS"

load() { # seconds report
  "$SIM" load --url http://127.0.0.1:5110/webhooks/flexype --rate "$LATENCY_RATE" --duration "$1" --concurrency 64 \
    --version mixed --seed 2026 --run-id "lat$RANDOM$1" --timeout 10 --quiet --report "$2" >/dev/null
}
load 5 "$REPORTS/warmup.json"
for i in $(seq 1 "$LATENCY_ROUNDS"); do
  load "$LATENCY_SECONDS" "$REPORTS/round$i.json"
done
load_avg=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$REPORTS" "$LATENCY_ROUNDS" "$LATENCY_OUT" "$LATENCY_RATE" "$LATENCY_SECONDS" "$load_avg" <<'PY'
import datetime, json, statistics, sys
reports, rounds, out, rate, seconds, load = sys.argv[1:]
runs = []
for i in range(1, int(rounds) + 1):
    m = json.load(open(f"{reports}/round{i}.json"))["load"]
    runs.append({"achieved_rate": m.get("achieved_rate"), "requests": m.get("requests"), "not_ok": m.get("not_ok"),
                 "latency_ms": m.get("latency_from_schedule_ms"), "service_latency_ms": m.get("service_latency_ms")})
median = sorted(runs, key=lambda r: r["latency_ms"]["p99"])[len(runs) // 2]
res = {
    "what": "ours as deployed (bench/deployed.sh) with Workflows paused (SIGSTOP), flexype-simulator load at a fixed rate, "
            "open loop, latency from each request's due time; the round with the median p99",
    "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    "rate_per_second": int(rate), "seconds_per_round": int(seconds), "loadavg_after": load.split(),
    "p50_ms": median["latency_ms"]["p50"], "p99_ms": median["latency_ms"]["p99"],
    "not_ok": sum(r["not_ok"] or 0 for r in runs), "rounds": runs,
}
json.dump(res, open(out, "w"), indent=2)
print(json.dumps({k: v for k, v in res.items() if k != "rounds"}, indent=2))
PY
