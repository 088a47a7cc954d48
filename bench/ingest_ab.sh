#!/usr/bin/env bash
# Two Ingest builds side by side, in turns, on the deployed stack (bench/deployed.sh, a fresh Postgres each round) with
# Workflows paused (the hand-offs wait, as when Workflows runs elsewhere): wrk at saturation for AB_SECONDS after a 5 s
# warm-up, from pg_stat_statements the group commit's Postgres time per stored event, and the WAL bytes written per
# stored event (the measured round's LSN advance over the events it stored). For a lever of issue 16:
# build Ingest before and after the change, copy each bin/Release/net10.0 folder aside, then
#   bash bench/ingest_ab.sh BEFORE_DIR AFTER_DIR [ROUNDS]   (rounds in the order A B B A A B …; results in
#   bench/results/ingest-ab.json; leaves FlexyPe.Ingest/bin/Release/net10.0 as it found it). AB_WHOLE_STACK=1 leaves
#   Workflows running (part 1's whole-stack figure) instead of pausing it. For a setting rather than a build, pass one
#   copy of the build folder twice and each side's settings as the stack's environment, as intake_ab.sh takes them:
#   AB_ENV_B="Ingest__MaxBatchSize=64" (AB_ENV_A likewise; AB_ENV_B="INGEST_ENV=NAME=VALUE" sets it for Ingest alone, see
#   deployed.sh). AB_CHECKOUTS=1 compares two commits of the whole stack
#   instead: BEFORE_DIR and AFTER_DIR are then checkouts (a git worktree each), each built in Release with its
#   bench/Sending and bench/OtlpSink, and each round runs that checkout's bench/deployed.sh (its services, its migrations).
set -euo pipefail
cd "$(dirname "$0")/.."
A=$(realpath "$1") B=$(realpath "$2") ROUNDS=${3:-6} AB_SECONDS=${AB_SECONDS:-15}
BIN=FlexyPe.Ingest/bin/Release/net10.0
# shellcheck source=bench/deployed_up.sh
source bench/deployed_up.sh
deployed_secrets
[ -n "${AB_CHECKOUTS:-}" ] || deployed_sinks   # (each checkout brings its own, built beside it)
deployed_wrk_payloads
kept=$(mktemp -d); cp -r "$BIN" "$kept/"
wf=""
finish() {
  [ -z "$wf" ] || kill -CONT "$wf" 2>/dev/null || true
  deployed_down
  rm -rf "$BIN" && cp -r "$kept/net10.0" "$BIN" && rm -rf "$kept"
}
trap finish EXIT
sql() { psql -At -F ' ' -h 127.0.0.1 -p 5441 -U postgres ingestdb -c "$1"; }
: >bench/results/ingest-ab.tmp
for i in $(seq 1 "$ROUNDS"); do
  case $(( (i - 1) % 4 )) in 0|3) side=A dir=$A side_env=${AB_ENV_A:-} ;; *) side=B dir=$B side_env=${AB_ENV_B:-} ;; esac
  if [ -n "${AB_CHECKOUTS:-}" ]; then DEPLOYED_ROOT=$dir; else rm -rf "$BIN" && cp -r "$dir" "$BIN"; fi
  run=$(mktemp -d /tmp/ingest-ab.XXXX); chmod 755 "$run"
  PG_STATEMENTS=1 deployed_up_env "$side_env" "$run" "$run/deployed.log"
  if [ -z "${AB_WHOLE_STACK:-}" ]; then wf=$WF_PID; kill -STOP "$wf"; fi
  sql "create extension if not exists pg_stat_statements" >/dev/null
  deployed_saturate 5 "w$i$RANDOM" >/dev/null
  sql "select pg_stat_statements_reset()" >/dev/null
  read -r lsn events < <(sql "select pg_current_wal_lsn(), count(*) from events")
  rps=$(deployed_saturate "$AB_SECONDS" "s$i$RANDOM" | awk '/Requests\/sec/{print $2}')
  us=$(sql "select round((total_exec_time / nullif(rows, 0))::numeric * 1000, 1) from pg_stat_statements
            where query like '%WITH incoming AS%' order by total_exec_time desc limit 1")
  # What the measured round wrote to the WAL, per event it stored: a lever that writes less shows here, whatever the noise.
  wal=$(sql "select round(pg_wal_lsn_diff(pg_current_wal_lsn(), '$lsn') / nullif(count(*) - $events, 0)) from events")
  echo "$side $rps $us $(cut -d' ' -f1 /proc/loadavg) $wal" | tee -a bench/results/ingest-ab.tmp
  [ -z "$wf" ] || kill -CONT "$wf"; wf=""
  deployed_down
  rm -rf "$run"
done
python3 - "$A" "$B" <<'PY'
import json, os, statistics, sys
rows = [l.split() for l in open("bench/results/ingest-ab.tmp") if l.strip()]
side = {s: [r for r in rows if r[0] == s] for s in "AB"}
mean = lambda s, k: round(statistics.mean(float(r[k]) for r in side[s]), 1)
res = {"what": ("each checkout's whole stack deployed, " if os.environ.get("AB_CHECKOUTS") else "") + "Ingest deployed, " + ("the whole stack running" if os.environ.get("AB_WHOLE_STACK") else "Workflows paused") + ", wrk -t2 -c32 at saturation; Postgres time of the group commit per stored event "
               "(pg_stat_statements total_exec_time / rows); WAL bytes written per stored event",
       "a": sys.argv[1], "b": sys.argv[2], "a_env": os.environ.get("AB_ENV_A", ""), "b_env": os.environ.get("AB_ENV_B", ""),
       "rounds": [{"side": r[0], "requests_per_second": float(r[1]), "commit_us_per_event": float(r[2]), "loadavg": float(r[3]),
                   "wal_bytes_per_event": float(r[4])} for r in rows],
       "a_requests_per_second": mean("A", 1), "b_requests_per_second": mean("B", 1),
       "a_commit_us_per_event": mean("A", 2), "b_commit_us_per_event": mean("B", 2),
       "a_wal_bytes_per_event": mean("A", 4), "b_wal_bytes_per_event": mean("B", 4)}
res["ratio_requests_per_second_b_over_a"] = round(res["b_requests_per_second"] / res["a_requests_per_second"], 3)
res["ratio_commit_us_per_event_b_over_a"] = round(res["b_commit_us_per_event"] / res["a_commit_us_per_event"], 3)
res["ratio_wal_bytes_per_event_b_over_a"] = round(res["b_wal_bytes_per_event"] / res["a_wal_bytes_per_event"], 3)
for s in "AB":
    res[s.lower() + "_median_requests_per_second"] = round(statistics.median(float(r[1]) for r in side[s]), 1)
res["ratio_median_requests_per_second_b_over_a"] = round(res["b_median_requests_per_second"] / res["a_median_requests_per_second"], 3)
print(json.dumps({k: v for k, v in res.items() if k != "rounds"}, indent=2))
json.dump(res, open("bench/results/ingest-ab.json", "w"), indent=2)
PY
