#!/usr/bin/env bash
# One command for every benchmark: builds in Release, then, one target at a time and with the same payload mix,
# measures our Ingest (durable), the reference handler FlexyPe's documentation gives (Node.js + Express, in memory),
# that reference made durable (Express + node-postgres, one INSERT … ON CONFLICT DO NOTHING per request, its own Postgres
# set up as ours) and an empty ASP.NET Core endpoint (the framework's ceiling). Ours is measured twice: as deployed (bench/deployed.sh:
# each service its own process, traces sampled and all telemetry exported to an OTLP sink; the goal figures) and under
# the AppHost (`dotnet run`: the development loop, with DCP and the dashboard taking every log, span and metric). Then
# parts 2 to 4 (bench/run_parts.sh). Writes bench/results/latest.json and the table in bench/README.md. Everything
# binds and targets 127.0.0.1 only, every step is bounded in time, and everything started here is stopped on exit.
# About 25 minutes. Not part of `dotnet test` or CI.
#
#   bash bench/run.sh                 the full run
#   SATURATION_SECONDS=10 LATENCY_SECONDS=10 bash bench/run.sh   a shorter one
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BENCH=$ROOT/bench
RESULTS=$BENCH/results
mkdir -p "$RESULTS"
export DEBIAN_FRONTEND=noninteractive DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

SATURATION_SECONDS=${SATURATION_SECONDS:-15}   # wrk at saturation, per round (two rounds per target)
WARMUP_SECONDS=${WARMUP_SECONDS:-5}
LATENCY_RATE=${LATENCY_RATE:-1000}             # fixed-rate latency, per target
LATENCY_SECONDS=${LATENCY_SECONDS:-20}
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-32}
SEED=${SEED:-2026}
PAYLOAD_COUNT=${PAYLOAD_COUNT:-400}

log() { printf '\n== %s  %s\n' "$(date -u +%H:%M:%S)" "$*"; }

# --- what this needs, installed where missing ------------------------------------------------------------------------
need=()
for tool in wrk:wrk hyperfine:hyperfine node:nodejs npm:npm psql:postgresql redis-server:redis-server python3:python3 curl:curl; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool#*:}")
done
[ -x /usr/lib/postgresql/15/bin/postgres ] || ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# --- cleanup: stop everything started here, by pid ---------------------------------------------------------------------
started_pids=()
DATA_DIR=$(mktemp -d /tmp/flexype-bench-XXXXXX)
chmod 755 "$DATA_DIR"   # the postgres account must reach it
stop_pid() {
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  for pid in "${started_pids[@]}"; do stop_pid "$pid"; done
  # DCP leaves by itself once the AppHost it watches is gone; give it the time, then make sure.
  if [ -n "${dcp_pid:-}" ]; then
    for _ in $(seq 1 40); do kill -0 "$dcp_pid" 2>/dev/null || break; sleep 0.5; done
    stop_pid "$dcp_pid"
  fi
  # Servers the AppHost started for this run (found by this run's own data folder), should any outlive it.
  for pid in $(pgrep -f "$DATA_DIR" || true) $(pgrep -f "${DEPLOY_DIR:-/nonexistent}" || true); do stop_pid "$pid"; done
  for pid in $(pgrep -f "${DURABLE_DIR:-/nonexistent}" || true); do stop_pid "$pid"; done
  rm -rf "$DATA_DIR" "${DEPLOY_DIR:-}" "${DURABLE_DIR:-}"
}
trap cleanup EXIT INT TERM

wait_for_200() { # url secret path seconds
  local deadline=$((SECONDS + $4))
  while [ $SECONDS -lt $deadline ]; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$1" -H 'Content-Type: application/json' \
      -H "X-Flexype-Authorization: $2" -H "X-Event-Id: evt_probe_$RANDOM$RANDOM" -H 'X-Webhook-Version: 2026-05' \
      --data '{"event_type":"PRODUCT_VIEWED","store":{"shopify_domain":"probe.myshopify.com"},"payload":{}}' || true)
    [ "$code" = 200 ] && return 0
    sleep 1
  done
  echo "no 200 from $1 within $4 s" >&2
  return 1
}

# Ours keeps working after a round: the outbox relay hands the backlog to Workflows. Wait until it is done, so it does
# not land on the next target's round.
drain() { # name [file to write the seconds it took to]
  local url=${PG_URL_OF[$1]:-} started=$SECONDS
  [ -n "$url" ] || return 0
  for _ in $(seq 1 180); do
    if [ "$(psql "$url" -Atc "select count(*) from outbox_messages where delivered_at is null" || echo 0)" = 0 ]; then
      [ -z "${2:-}" ] || echo $((SECONDS - started)) >"$2"
      return 0
    fi
    sleep 1
  done
  echo "$1: outbox not drained after 180 s" >&2
}

pg_commits() { psql "$PG_URL" -Atc "select xact_commit from pg_stat_database where datname = current_database()" || true; }

# The first process under ROOT (a pid) whose command line matches PATTERN: ours, never a neighbour's.
descendant() {
  python3 - "$1" "$2" <<'PY'
import os, re, sys
root, pattern = sys.argv[1], re.compile(sys.argv[2])
procs = {}
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        stat = open(f"/proc/{pid}/stat").read()
        cmd = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        continue
    procs[pid] = (stat[stat.rindex(")") + 2:].split()[1], cmd)
for pid, (ppid, cmd) in sorted(procs.items(), key=lambda kv: int(kv[0])):
    p, hops = pid, 0
    while p in procs and hops < 64:
        if p == root and pattern.search(cmd):
            print(pid); sys.exit(0)
        p, hops = procs[p][0], hops + 1
PY
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# --- build ---------------------------------------------------------------------------------------------------------------
log "building (Release)"
bash scripts/restore-tools.sh >/dev/null
if [ -z "${BENCH_NO_BUILD:-}" ]; then   # BENCH_NO_BUILD=1: measure the Release build already there
  dotnet build FlexyPe.Recovery.sln -c Release -v quiet -nologo >/dev/null
  dotnet build bench/AspNetCeiling -c Release -v quiet -nologo >/dev/null
  dotnet build bench/Sending -c Release -v quiet -nologo >/dev/null   # deployed.sh's SMTP sink
fi
(cd "$BENCH/reference" && npm ci --silent --no-audit --no-fund >/dev/null)
SIM="$ROOT/tools/FlexyPe.Simulator/bin/Release/net10.0/flexype-simulator"

SECRET=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
ADMIN_KEY=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export FLEXYPE_WEBHOOK_SECRET=$SECRET
RUN_STAMP=$(date -u +%Y%m%dT%H%M%S)
PAYLOADS=$RESULTS/payloads.lua.tmp
"$SIM" payloads --version mixed --seed "$SEED" --run-id bench --count "$PAYLOAD_COUNT" --out "$PAYLOADS" >/dev/null
export PAYLOADS
RAW=$RESULTS/raw.tmp
rm -rf "$RAW"; mkdir -p "$RAW"

declare -A BASE PATH_OF
BASE[aspnet_ceiling]=http://127.0.0.1:5900; PATH_OF[aspnet_ceiling]=/webhooks/flexype
BASE[reference]=http://127.0.0.1:3000;      PATH_OF[reference]=/webhook
BASE[reference_durable]=http://127.0.0.1:3001; PATH_OF[reference_durable]=/webhook
BASE[ingest]=http://127.0.0.1:5100;         PATH_OF[ingest]=/webhooks/flexype
BASE[ingest_deployed]=http://127.0.0.1:5110; PATH_OF[ingest_deployed]=/webhooks/flexype
BASE[ingest_alone]=http://127.0.0.1:5110;    PATH_OF[ingest_alone]=/webhooks/flexype   # deployed, Workflows paused
# CPU is counted for processes under these pids only: this run's, not a neighbour's, and for ours only that stack's.
declare -A ROOTS_OF PG_URL_OF

run_wrk() { # name seconds tag [--latency]
  local name=$1
  WEBHOOK_PATH=${PATH_OF[$name]} RUN_ID="${RUN_STAMP}$3$name" wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$2s" --timeout 10s \
    ${4:-} -s "$BENCH/wrk/webhooks.lua" "${BASE[$name]}"
}

saturation() { # name round
  local name=$1 out="$RAW/$1.round$2"
  log "$name: saturation round $2, wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d${SATURATION_SECONDS}s"
  cat /proc/loadavg >"$out.loadavg"
  python3 "$BENCH/cpu_sample.py" snap "$out.cpu0"
  PG_URL=${PG_URL_OF[$name]:-}
  if [ -n "$PG_URL" ]; then pg_commits >"$out.pg0"; fi
  [ "$name" != ingest_alone ] || pause_workflows
  run_wrk "$name" "$SATURATION_SECONDS" "s$2" --latency | tee "$out.wrk" | grep -E 'Requests/sec|Non-2xx|Socket errors' || true
  python3 "$BENCH/cpu_sample.py" diff "$out.cpu0" ${ROOTS_OF[$name]:-$$} >"$out.cpu.json"
  if [ -n "$PG_URL" ]; then pg_commits >"$out.pg1"; fi
  [ "$name" != ingest_alone ] || resume_workflows
  drain "$name" "$out.drain"
  sleep 2
}

# Ours with Workflows paused (SIGSTOP), as when Workflows runs on other machines: the hand-offs wait in the outbox
# meanwhile and are taken once it resumes (the drain after the round).
pause_workflows() { [ -z "${workflows_deployed:-}" ] || kill -STOP "$workflows_deployed"; }
resume_workflows() { [ -z "${workflows_deployed:-}" ] || kill -CONT "$workflows_deployed"; }

fixed_rate() { # name
  local name=$1
  log "$name: ${LATENCY_RATE} req/s for ${LATENCY_SECONDS}s (flexype-simulator load)"
  # The CPU meanwhile of every process still running at its end, this run's or not (the load generator, gone by then,
  # is not in it): what shared the cores with the target while its latency was measured.
  python3 "$BENCH/cpu_sample.py" snap "$RAW/$name.fixed.cpu0"
  "$SIM" load --url "${BASE[$name]}${PATH_OF[$name]}" --rate "$LATENCY_RATE" --duration "$LATENCY_SECONDS" --concurrency 64 \
    --version mixed --seed "$SEED" --run-id "${RUN_STAMP}l$name" --timeout 10 --quiet --report "$RAW/$name.latency.json" \
    | grep -E 'rate|latency|non-200' || true
  python3 "$BENCH/cpu_sample.py" diff "$RAW/$name.fixed.cpu0" >"$RAW/$name.fixed.cpu.json"
  [ "$name" = ingest_alone ] || drain "$name"   # paused Workflows takes nothing: the caller drains once it resumes
  sleep 2
}

# --- start the three targets; they stay up (idle) while the others are measured, so rounds can interleave --------------
for port in 5900 3000 3001 5442 5100 5200 5300 5400 2525 18888 5110 5211 5311 5441 6391 2526 4318; do
  port_free $port || { echo "127.0.0.1:$port is in use (is another AppHost or benchmark running?)" >&2; exit 1; }
done

log "starting the ASP.NET Core ceiling"
CEILING_URL=http://127.0.0.1:5900 dotnet bench/AspNetCeiling/bin/Release/net10.0/AspNetCeiling.dll >"$RAW/ceiling.log" 2>&1 &
started_pids+=("$!")
wait_for_200 http://127.0.0.1:5900/webhooks/flexype "$SECRET" "" 30

log "starting the reference handler (Node.js $(node --version), Express)"
(cd "$BENCH/reference" && NODE_ENV=production PORT=3000 exec node server.js) >"$RAW/reference.log" 2>&1 &
started_pids+=("$!")
wait_for_200 http://127.0.0.1:3000/webhook "$SECRET" "" 30

log "starting the reference made durable (Express + node-postgres, pool 32, its own Postgres as deployed.sh starts ours)"
DURABLE_DIR=$(mktemp -d /tmp/flexype-durable-XXXXXX); chmod 755 "$DURABLE_DIR"
bash "$BENCH/reference/durable.sh" "$DURABLE_DIR" >"$RAW/reference_durable.log" 2>&1 &
durable_pid=$!; started_pids+=("$durable_pid")
ROOTS_OF[reference_durable]=$durable_pid
wait_for_200 http://127.0.0.1:3001/webhook "$SECRET" "" 60

log "starting ours: the AppHost in Release, local Postgres and Redis, a throw-away data folder"
setsid dotnet run --project FlexyPe.AppHost -c Release --no-build -- \
  --Infrastructure:Mode=local --Infrastructure:DataDirectory="$DATA_DIR" \
  --Parameters:flexype-webhook-secret="$SECRET" --Parameters:admin-api-key="$ADMIN_KEY" >"$RAW/apphost.log" 2>&1 &
apphost_pid=$!; started_pids+=("$apphost_pid")
wait_for_200 http://127.0.0.1:5100/webhooks/flexype "$SECRET" "" 240
# DCP (Aspire's orchestrator) detaches from the AppHost and watches it by pid; the services run under it.
apphost_exe=$(descendant "$apphost_pid" 'FlexyPe\.AppHost/bin' || true)
dcp_pid=$(pgrep -f -- "start-apiserver --monitor ${apphost_exe:-none} " | head -n 1 || true)
ROOTS_OF[ingest]="${dcp_pid:-} $apphost_pid"
INGEST_PID=$(descendant "${dcp_pid:-$apphost_pid}" 'FlexyPe\.Ingest/bin' || true)
if [ -n "$INGEST_PID" ]; then
  cs=$(tr '\0' '\n' </proc/"$INGEST_PID"/environ | sed -n 's/^ConnectionStrings__ingestdb=//p')
  port=$(sed -n 's/.*Port=\([^;]*\).*/\1/p' <<<"$cs"); user=$(sed -n 's/.*Username=\([^;]*\).*/\1/p' <<<"$cs")
  PG_URL_OF[ingest]="postgresql://${user:-postgres}@127.0.0.1:${port:-5432}/ingestdb"
  tr '\0' ' ' </proc/"$INGEST_PID"/cmdline >"$RAW/ingest.cmdline"
fi

log "starting ours as deployed: each service its own process, no AppHost or dashboard, OTLP to a sink (bench/deployed.sh)"
DEPLOY_DIR=$(mktemp -d /tmp/flexype-deployed-XXXXXX); chmod 755 "$DEPLOY_DIR"
SECRET=$SECRET ADMIN_KEY=$ADMIN_KEY bash "$BENCH/deployed.sh" "$DEPLOY_DIR" >"$RAW/deployed.log" 2>&1 &
deployed_pid=$!; started_pids+=("$deployed_pid")
ROOTS_OF[ingest_deployed]=$deployed_pid; ROOTS_OF[ingest_alone]=$deployed_pid
PG_URL_OF[ingest_deployed]="postgresql://postgres@127.0.0.1:5441/ingestdb"; PG_URL_OF[ingest_alone]=${PG_URL_OF[ingest_deployed]}
wait_for_200 http://127.0.0.1:5110/webhooks/flexype "$SECRET" "" 120
workflows_deployed=$(descendant "$deployed_pid" 'FlexyPe\.Workflows' || true)

# --- warm-up, then saturation in the order A B C C B A (drift in a noisy machine's load falls evenly), then fixed rate --
for name in aspnet_ceiling reference reference_durable ingest_deployed ingest; do
  log "$name: warm-up ${WARMUP_SECONDS}s"
  run_wrk "$name" "$WARMUP_SECONDS" w >/dev/null
  drain "$name"
done
sleep 2
round=0
for name in aspnet_ceiling reference reference_durable ingest_deployed ingest_alone ingest \
            ingest ingest_alone ingest_deployed reference_durable reference aspnet_ceiling; do
  round=$((round + 1))
  saturation "$name" "$round"
done
for name in aspnet_ceiling reference reference_durable ingest_deployed ingest; do
  fixed_rate "$name"
done

# --- diagnostic: the deployed Ingest at the fixed rate with Workflows paused (SIGSTOP), as when Workflows runs on other
# machines: the hand-offs wait in the outbox meanwhile. Not a goal figure: it shows what the downstream work sharing the
# two cores costs Ingest's latency. Workflows then resumes and takes the backlog.
if [ -n "$workflows_deployed" ]; then
  pause_workflows
  fixed_rate ingest_alone   # its drain waits for nothing while Workflows is paused: the drain below does
  resume_workflows
  drain ingest_deployed
fi

for name in ingest ingest_deployed; do
  [ -z "${PG_URL_OF[$name]:-}" ] || psql "${PG_URL_OF[$name]}" -Atc "select count(*) from events" >"$RAW/$name.events" || true
done
for pid in "${started_pids[@]}"; do stop_pid "$pid"; done

# --- results ---------------------------------------------------------------------------------------------------------------
log "writing results"
python3 "$BENCH/summarize.py" "$RAW" "$RESULTS/latest.json" "$BENCH/README.md"
rm -f "$RESULTS"/*.wrk "$RESULTS"/*.cpu.json
for f in "$RAW"/*.wrk "$RAW"/*.cpu.json; do cp "$f" "$RESULTS/$(basename "$f")"; done
rm -f "$RAW"/*.cpu0   # process snapshots: not needed once summarized

# --- part 1b: the pipeline's sustained rate on the deployed stack alone (bench/pipeline.sh, results/pipeline.json) ------
if [ -z "${PIPELINE_SKIP:-}" ]; then
  PIPELINE_NO_BUILD=1 bash "$BENCH/pipeline.sh" || echo "the pipeline part failed; results/pipeline.json is from an earlier run if present" >&2
fi

# --- parts 2 to 4: end to end, scheduling, sending (their own scripts; merged into latest.json and the table) -- ----------------------
if [ -n "${PART1_ONLY:-}" ]; then python3 "$BENCH/merge_parts.py" >/dev/null; else E2E_NO_BUILD=1 SCHED_NO_BUILD=1 bash "$BENCH/run_parts.sh"; fi
echo "bench/results/latest.json and the table in bench/README.md are updated."
