#!/usr/bin/env bash
# Benchmark part 2: end to end, webhook to email accepted by the SMTP sink, for a zero-delay step. Starts the AppHost
# (Release, local Postgres and Redis, smtp4dev, a throw-away data folder so the seeded welcome sequence applies, quiet
# hours off, no frequency cap), sends E2E_COUNT new-customer webhooks at E2E_RATE per second with distinct emails
# (bench/e2e.py) and measures each POST to smtp4dev's receivedDate. Writes bench/results/e2e.json. 127.0.0.1 only,
# bounded in time, stops the AppHost (SIGTERM) and everything under it on exit.
#   E2E_COUNT=200 E2E_RATE=5 bash bench/e2e.sh        (E2E_NO_BUILD=1 when bench/run.sh has just built)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
E2E_COUNT=${E2E_COUNT:-200}
E2E_RATE=${E2E_RATE:-5}
STACK_NAME=e2e STACK_NO_BUILD=${E2E_NO_BUILD:-}
# shellcheck source=bench/stack.sh
source bench/stack.sh

load=$(cut -d' ' -f1-3 /proc/loadavg)
timeout 600 python3 bench/e2e.py --secret "$SECRET" --count "$E2E_COUNT" --rate "$E2E_RATE" --out bench/results/e2e.json
python3 - "$load" <<'PY'
import json, sys
p = "bench/results/e2e.json"
d = json.load(open(p)); d["loadavg_before"] = sys.argv[1].split(); d["loadavg_after"] = open("/proc/loadavg").read().split()[:3]
json.dump(d, open(p, "w"), indent=2)
PY
