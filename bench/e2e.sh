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
mkdir -p bench/results
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
[ -n "${E2E_NO_BUILD:-}" ] || { dotnet tool restore >/dev/null; dotnet build FlexyPe.Recovery.sln -c Release -v quiet -nologo >/dev/null; }

DATA_DIR=$(mktemp -d /tmp/flexype-e2e-XXXXXX); chmod 755 "$DATA_DIR"
apphost_pid=""; dcp_pid=""
stop_pid() {
  kill -0 "$1" 2>/dev/null || return 0
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.5; done
  kill -KILL "$1" 2>/dev/null || true
}
cleanup() {
  [ -z "$apphost_pid" ] || stop_pid "$apphost_pid"
  if [ -n "$dcp_pid" ]; then
    for _ in $(seq 1 40); do kill -0 "$dcp_pid" 2>/dev/null || break; sleep 0.5; done
    stop_pid "$dcp_pid"
  fi
  # Services DCP started from this worktree leave with it; give them the time, then make sure.
  for _ in $(seq 1 30); do pgrep -f "$ROOT/FlexyPe\." >/dev/null || break; sleep 0.5; done
  for pid in $(pgrep -f "$ROOT/FlexyPe\." || true) $(pgrep -f "$DATA_DIR" || true); do stop_pid "$pid"; done
  rm -rf "$DATA_DIR"
}
trap cleanup EXIT INT TERM

for port in 5100 5200 5300 5400 2525 18888; do   # part 1's AppHost may still be leaving: up to 60 s
  for _ in $(seq 1 60); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || continue 2; sleep 1; done
  echo "127.0.0.1:$port is in use (is another AppHost running?)" >&2; exit 1
done
SECRET=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
ADMIN_KEY=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
LOG=bench/results/e2e.apphost.log.tmp
setsid dotnet run --project FlexyPe.AppHost -c Release --no-build -- \
  --Infrastructure:Mode=local --Infrastructure:DataDirectory="$DATA_DIR" \
  --Parameters:flexype-webhook-secret="$SECRET" --Parameters:admin-api-key="$ADMIN_KEY" \
  --Workflows:QuietHours:Enabled=false --Workflows:FrequencyCap=00:00:00 \
  --Workflows:Seed:WelcomeDelays=00:00:00,3.00:00:00 >"$LOG" 2>&1 &
apphost_pid=$!

deadline=$((SECONDS + 240)); up=""
while [ $SECONDS -lt $deadline ]; do
  ingest=$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:5100/health || true)
  workflows=$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:5200/health || true)
  notifier=$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:5300/health || true)
  mail=$(curl -s -o /dev/null -w '%{http_code}' 'http://127.0.0.1:5400/api/messages?pageSize=1' || true)
  if [ "$ingest$workflows$notifier$mail" = 200200200200 ]; then up=1; break; fi
  sleep 2
done
# DCP (Aspire's orchestrator) detaches and watches the AppHost executable (a child of `dotnet run`) by pid.
for child in $(pgrep -P "$apphost_pid" || true); do
  dcp_pid=$(pgrep -f -- "start-apiserver --monitor $child " | head -n 1 || true)
  [ -z "$dcp_pid" ] || break
done
[ -n "$up" ] || { echo "the stack did not come up within 240 s (ingest $ingest, workflows $workflows, notifier $notifier, smtp4dev $mail); see $LOG" >&2; exit 1; }

load=$(cut -d' ' -f1-3 /proc/loadavg)
timeout 600 python3 bench/e2e.py --secret "$SECRET" --count "$E2E_COUNT" --rate "$E2E_RATE" --out bench/results/e2e.json
python3 - "$load" <<'PY'
import json, sys
p = "bench/results/e2e.json"
d = json.load(open(p)); d["loadavg_before"] = sys.argv[1].split(); d["loadavg_after"] = open("/proc/loadavg").read().split()[:3]
json.dump(d, open(p, "w"), indent=2)
PY
