#!/usr/bin/env bash
# Two Workflows builds side by side, in turns, on the deployed stack (bench/deployed.sh, a fresh Postgres each round):
# the simulator's journeys at INTAKE_RATE events/s for INTAKE_SECONDS, faster than Workflows takes them, then the
# time until the hand-off backlog is gone. The drain rate (backlog left when the load ends / seconds to take it) is
# Workflows' intake with the machine to itself; a steadier figure for a Workflows lever than the pipeline's slope,
# whose open-loop load shares the cores. Over each drain it also records the CPU seconds of the stack's processes
# (cpu_sample.py): the CPU each process spends per event drained is what a lever saves, and moves less with how fast
# the machine is that hour than the drain rate does, and the write-ahead log Postgres wrote meanwhile (the whole
# cluster's) per event, which does not move with the machine at all. For a lever of issue 16: build Workflows before and after the change, copy
# each bin/Release/net10.0 folder aside, then
#   bash bench/intake_ab.sh BEFORE_DIR AFTER_DIR [ROUNDS]   (rounds in the order A B B A A B …; results in
#   bench/results/intake-ab.json; leaves the build folder as it found it)
# For a setting rather than a build, pass one copy of the build folder twice (not the build folder itself: each round
# replaces it) and each side's settings as the stack's environment:
#   AB_ENV_B="Ingest__Outbox__SendBatchSize=50 Ingest__Outbox__Concurrency=2" (AB_ENV_A likewise).
# AB_SERVICE=Ingest compares two Ingest builds instead (its relay is what hands Workflows its batches).
set -euo pipefail
cd "$(dirname "$0")/.."
A=$(realpath "$1") B=$(realpath "$2") ROUNDS=${3:-4}
INTAKE_RATE=${INTAKE_RATE:-1500} INTAKE_SECONDS=${INTAKE_SECONDS:-15}
AB_SERVICE=${AB_SERVICE:-Workflows}
BIN=FlexyPe.$AB_SERVICE/bin/Release/net10.0
# shellcheck source=bench/deployed_up.sh
source bench/deployed_up.sh
deployed_secrets
deployed_sinks
kept=$(mktemp -d); cp -r "$BIN" "$kept/"
finish() {
  deployed_down
  rm -rf "$BIN" && cp -r "$kept/net10.0" "$BIN" && rm -rf "$kept"
}
trap finish EXIT
: >bench/results/intake-ab.tmp
for i in $(seq 1 "$ROUNDS"); do
  case $(( (i - 1) % 4 )) in 0|3) side=A dir=$A side_env=${AB_ENV_A:-} ;; *) side=B dir=$B side_env=${AB_ENV_B:-} ;; esac
  rm -rf "$BIN" && cp -r "$dir" "$BIN"
  run=$(mktemp -d /tmp/intake-ab.XXXX); chmod 755 "$run"
  deployed_up_env "$side_env" "$run" "$run/deployed.log"
  deployed_load 300 10 "warm$i$RANDOM"; deployed_drain >/dev/null
  before=$(deployed_taken)
  deployed_load "$INTAKE_RATE" "$INTAKE_SECONDS" "ab$i$RANDOM"
  start=$(date +%s.%N)
  python3 bench/cpu_sample.py snap "$run/cpu.snap"
  left=$(deployed_backlog)
  wal0=$(deployed_sql postgres "select pg_current_wal_lsn()")
  seconds=$(deployed_drain "$start")
  python3 bench/cpu_sample.py diff "$run/cpu.snap" "$deployed_pid" >"$run/cpu.json"
  wal=$(deployed_sql postgres "select pg_current_wal_lsn() - '$wal0'::pg_lsn")
  took=$(( $(deployed_taken) - before ))
  echo "$side $left $seconds $took $(cut -d' ' -f1 /proc/loadavg) $(tr -d ' ' <"$run/cpu.json") $wal" | tee -a bench/results/intake-ab.tmp
  deployed_down
  rm -rf "$run"
done
python3 - "$A" "$B" <<'PY'
import json, os, statistics, sys
rows = [l.split() for l in open("bench/results/intake-ab.tmp") if l.strip()]
rate = lambda r: float(r[1]) / float(r[2])
cpu = lambda r: json.loads(r[5])
# CPU milliseconds per event drained: Workflows, Postgres, and every process of the stack (Ingest's relay, the sinks).
# Write-ahead log over the drain, the whole cluster's (Workflows' intake and firing, the relay's marks, Notifier), per event.
wal = lambda r: float(r[6]) / int(r[1])
per_event = lambda r, group: 1000 * (sum(cpu(r).values()) if group == "all" else cpu(r).get(group, 0.0)) / int(r[1])
GROUPS = ("workflows", "postgres", "all")
side = {s: [r for r in rows if r[0] == s] for s in "AB"}
res = {"what": "Workflows' intake from a standing hand-off backlog on the deployed stack: the simulator's journeys sent faster "
               "than Workflows takes them, then backlog left at the end of the load / seconds until it is gone, and the CPU "
               "milliseconds per event drained of Workflows, Postgres and every process of the stack (cpu_sample.py)",
       "a": sys.argv[1], "b": sys.argv[2], "a_env": os.environ.get("AB_ENV_A", ""), "b_env": os.environ.get("AB_ENV_B", ""),
       "rounds": [{"side": r[0], "backlog_left": int(r[1]), "drain_seconds": float(r[2]), "events_taken": int(r[3]),
                   "drain_events_per_second": round(rate(r), 1), "loadavg": float(r[4]),
                   "cpu_seconds_over_the_drain": cpu(r),
                   "cpu_ms_per_event": {g: round(per_event(r, g), 3) for g in GROUPS},
                   "wal_bytes_per_event": round(wal(r))} for r in rows]}
for s in "AB":
    res[f"{s.lower()}_drain_events_per_second"] = round(statistics.mean(rate(r) for r in side[s]), 1)
    res[f"{s.lower()}_cpu_ms_per_event"] = {g: round(statistics.mean(per_event(r, g) for r in side[s]), 3) for g in GROUPS}
    res[f"{s.lower()}_wal_bytes_per_event"] = round(statistics.mean(wal(r) for r in side[s]))
res["ratio_drain_b_over_a"] = round(res["b_drain_events_per_second"] / res["a_drain_events_per_second"], 3)
res["ratio_wal_per_event_b_over_a"] = round(res["b_wal_bytes_per_event"] / res["a_wal_bytes_per_event"], 3)
res["ratio_cpu_per_event_b_over_a"] = {g: round(res["b_cpu_ms_per_event"][g] / res["a_cpu_ms_per_event"][g], 3) for g in GROUPS}
print(json.dumps({k: v for k, v in res.items() if k != "rounds"}, indent=2))
json.dump(res, open("bench/results/intake-ab.json", "w"), indent=2)
PY
rm -f bench/results/intake-ab.tmp
