#!/usr/bin/env bash
# A profile of Workflows' intake draining a standing hand-off backlog, on the stack as deployed (bench/deployed.sh with
# pg_stat_statements): Workflows is paused (SIGSTOP) while the simulator's journeys arrive at PROFILE_RATE events/s for
# PROFILE_SECONDS, so the backlog is there before it takes any; then it is continued and, while it drains,
#   - cpu_sample.py counts the CPU seconds of each process (Workflows, Postgres, Ingest's relay, ...);
#   - dotnet-trace samples Workflows' threads (dotnet-sampled-thread-time) for PROFILE_TRACE_SECONDS, and
#     bench/CpuProfile sums the samples of threads running managed code by method and assembly;
#   - pg_stat_statements sums workflowsdb's statements (calls, total ms, µs per call, rows, WAL bytes) over the whole drain.
# Results in bench/results/intake-profile.json and intake-profile-statements.txt; stops what it started.
#   bash bench/intake_profile.sh    (after a Release build of the services, the simulator and bench/CpuProfile)
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE_RATE=${PROFILE_RATE:-1500} PROFILE_SECONDS=${PROFILE_SECONDS:-15} PROFILE_TRACE_SECONDS=${PROFILE_TRACE_SECONDS:-20}
CPU_PROFILE=bench/CpuProfile/bin/Release/net10.0/cpu-profile
bash scripts/restore-tools.sh >/dev/null
# shellcheck source=bench/deployed_up.sh
source bench/deployed_up.sh
deployed_secrets
export PG_STATEMENTS=1
deployed_sinks
run=$(mktemp -d /tmp/intake-profile.XXXX); chmod 755 "$run"
finish() { [ -z "${WF_PID:-}" ] || kill -CONT "$WF_PID" 2>/dev/null || true; deployed_down; rm -rf "$run"; }
trap finish EXIT
deployed_up "$run" "$run/deployed.log"

deployed_load 300 10 "warm$RANDOM"; deployed_drain >/dev/null
deployed_sql workflowsdb "create extension if not exists pg_stat_statements" >/dev/null
kill -STOP "$WF_PID"
deployed_load "$PROFILE_RATE" "$PROFILE_SECONDS" "profile$RANDOM"
left=$(deployed_backlog) before=$(deployed_taken)
deployed_sql workflowsdb "select pg_stat_statements_reset()" >/dev/null
python3 bench/cpu_sample.py snap "$run/cpu.snap"
start=$(date +%s.%N)
kill -CONT "$WF_PID"
if [ -n "${PROFILE_PERF:-}" ]; then
  perf record -a -g -F 499 -o "$PROFILE_PERF" -- sleep "$PROFILE_TRACE_SECONDS" 2>/dev/null
else
  dotnet dotnet-trace collect -p "$WF_PID" --profile dotnet-sampled-thread-time \
    --duration "$(printf '00:00:%02d' "$PROFILE_TRACE_SECONDS")" -o "$run/intake.nettrace" >/dev/null
fi
seconds=$(deployed_drain "$start")
python3 bench/cpu_sample.py diff "$run/cpu.snap" "$deployed_pid" >"$run/cpu.json"
python3 bench/cpu_sample.py roles "$run/cpu.snap" "$deployed_pid" >"$run/postgres-roles.json"
took=$(( $(deployed_taken) - before ))
# The time Postgres spent running statements, every database's and workflowsdb's: the rest of its CPU is the protocol,
# commits, the WAL and background work.
deployed_sql workflowsdb "select round(sum(total_exec_time)::numeric, 1), round((sum(total_exec_time) filter (where d.datname = current_database()))::numeric, 1)
  from pg_stat_statements s join pg_database d on d.oid = s.dbid" >"$run/exec-ms.txt"
deployed_sql workflowsdb "select calls, round(total_exec_time::numeric, 1) as total_ms, round((total_exec_time / calls)::numeric * 1000, 1) as us_per_call,
    rows, wal_bytes, left(regexp_replace(query, '\s+', ' ', 'g'), 400) as query
  from pg_stat_statements s join pg_database d on d.oid = s.dbid where d.datname = current_database()
  order by total_exec_time desc limit 40" >bench/results/intake-profile-statements.txt
if [ -n "${PROFILE_PERF:-}" ]; then echo '{}' >"$run/methods.json"; else "$CPU_PROFILE" "$run/intake.nettrace" "$run/methods.json" 40 >/dev/null; fi
python3 - "$run" "$left" "$seconds" "$took" <<'PY'
import datetime, json, sys
run, left, seconds, took = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
cpu = json.load(open(f"{run}/cpu.json"))
roles = json.load(open(f"{run}/postgres-roles.json"))
exec_all, exec_wf = (float(x) for x in open(f"{run}/exec-ms.txt").read().strip().split("|"))
res = {"what": "Workflows' intake draining a standing hand-off backlog on the stack as deployed (Workflows paused while "
               "the load arrived): CPU seconds per process over the drain, per event taken; Workflows' managed CPU by "
               "method (dotnet-trace sampled thread time, running threads only); workflowsdb's statements in "
               "intake-profile-statements.txt",
       "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
       "backlog": left, "drain_seconds": seconds, "events_taken": took,
       "drain_events_per_second": round(left / seconds, 1),
       "cpu_ms_per_event": {k: round(v * 1000 / max(1, took), 3) for k, v in sorted(cpu.items(), key=lambda p: -p[1]) if v > 0},
       "postgres_cpu_ms_per_event_by_role": {k: round(v * 1000 / max(1, took), 3) for k, v in roles.items()},
       "postgres_statement_exec_ms_per_event": {"all_databases": round(exec_all / max(1, took), 3),
                                                "workflowsdb": round(exec_wf / max(1, took), 3)},
       "workflows_methods": json.load(open(f"{run}/methods.json"))}
json.dump(res, open("bench/results/intake-profile.json", "w"), indent=2)
print(json.dumps({k: v for k, v in res.items() if k != "workflows_methods"}, indent=2))
PY
