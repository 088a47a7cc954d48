#!/usr/bin/env bash
# Benchmark part 3: scheduling at scale. Starts the stack as deployed (bench/deployed.sh: each service its own Release
# process, Postgres, Redis, an SMTP sink; no AppHost, DCP or dashboard, as part 1's goal figures), makes one real
# welcome enrollment (a webhook), then copies it in workflowsdb with SQL into SCHED_ENROLLMENTS enrollments, each with one scheduled step:
# first the ones whose step is a day away (active, not due), then SCHED_RATE x SCHED_SECONDS whose steps come due at
# SCHED_RATE per second from SCHED_LEAD seconds after that second copy starts. Measures firing lateness
# (fired_at - due_at) of the due ones, the firing rate and Workflows' memory; then, on the same stack, fresh steps due
# at each of SCHED_SWEEP_RATES in turn, until lateness p99 passes 1 s (the highest rate that keeps it under). Writes
# SCHED_OUT (bench/results/scheduling.json). 127.0.0.1 only, bounded in time, stops everything it started.
#   SCHED_ENROLLMENTS=100000 SCHED_RATE=1000 SCHED_SECONDS=60 bash bench/scheduling.sh
# SCHED_SHAPE=apphost runs it under the AppHost as bench/e2e.sh does (`dotnet run`: DCP and the dashboard take about
# 0.44 of the two cores while steps come due); the figures before 2026-11-30 08:30 were measured that way.
# The million (issue 16: the same rate with 1,000,000 enrollments in the tables; the copy takes 10-15 min here):
#   SCHED_ENROLLMENTS=1000000 SCHED_SWEEP_RATES= SCHED_OUT=bench/results/scheduling-million.json bash bench/scheduling.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SCHED_ENROLLMENTS=${SCHED_ENROLLMENTS:-100000}
SCHED_RATE=${SCHED_RATE:-1000}
SCHED_SECONDS=${SCHED_SECONDS:-60}
SCHED_LEAD=${SCHED_LEAD:-150}   # seconds from the start of the due steps' copy to the first due step (60,000 take 20 to 45 s here)
# Then, on the same stack, higher rates for SCHED_SWEEP_SECONDS each, until p99 passes 1 s: the highest rate that keeps it
# under. Set empty for none.
SCHED_SWEEP_RATES=${SCHED_SWEEP_RATES-1500 2000 3000}
SCHED_OUT=${SCHED_OUT:-bench/results/scheduling.json}
export SCHED_SWEEP_SECONDS=${SCHED_SWEEP_SECONDS:-20}
SCHED_SHAPE=${SCHED_SHAPE:-deployed}
# SCHED_STATEMENTS=1 (deployed shape): the 25 statements Postgres spent most time on while the steps came due, in
# bench/results/sched.statements.tmp.
SCHED_STATEMENTS=${SCHED_STATEMENTS:-}
STACK_NAME=sched STACK_NO_BUILD=${SCHED_NO_BUILD:-}
if [ "$SCHED_SHAPE" = deployed ]; then
  # shellcheck source=bench/deployed_up.sh
  source bench/deployed_up.sh
  deployed_welcome_at_once
  [ -n "$STACK_NO_BUILD" ] || { dotnet build FlexyPe.Recovery.sln -c Release -v quiet -nologo >/dev/null; deployed_sinks; }
  deployed_secrets
  DATA_DIR=$(mktemp -d /tmp/flexype-sched-deployed-XXXXXX); chmod 755 "$DATA_DIR"
  stop_deployed() {
    trap '' INT TERM   # stopping the stack signals its group too: this script is leaving already
    deployed_down
    for _ in $(seq 1 20); do pgrep -f "$DATA_DIR" >/dev/null || break; sleep 0.5; done; rm -rf "$DATA_DIR"
  }
  trap stop_deployed EXIT
  trap 'exit 143' INT TERM
  PG_STATEMENTS=$SCHED_STATEMENTS deployed_up "$DATA_DIR" bench/results/sched.deployed.log.tmp
  dcp_pid=$deployed_pid   # the CPU sample counts this stack's processes: deployed.sh's descendants
  INGEST_URL=http://127.0.0.1:5110/webhooks/flexype
else
  # shellcheck source=bench/stack.sh
  source bench/stack.sh
  WF_PID=$(pgrep -f "$ROOT/FlexyPe.Workflows/bin/Release" | head -n 1)
  INGEST_URL=http://127.0.0.1:5100/webhooks/flexype
fi

cs=$(tr '\0' '\n' </proc/"$WF_PID"/environ | sed -n 's/^ConnectionStrings__workflowsdb=//p')
pg_port=$(sed -n 's/.*Port=\([^;]*\).*/\1/p' <<<"$cs"); pg_user=$(sed -n 's/.*Username=\([^;]*\).*/\1/p' <<<"$cs")
pg_pass=$(sed -n 's/.*Password=\([^;]*\).*/\1/p' <<<"$cs")
export PGPASSWORD=$pg_pass
PG="postgresql://${pg_user:-postgres}@127.0.0.1:${pg_port:-5432}/workflowsdb"

# One real enrollment to copy: a new customer; its second welcome step (3 days) stays scheduled.
# (e2e.py fails when it cannot see the email in smtp4dev, as in the deployed shape: the scheduled step below is the check.)
python3 bench/e2e.py --secret "$SECRET" --ingest "$INGEST_URL" --count 1 --rate 1 --warmup 0 --wait 30 >/dev/null || true
template=""
for _ in $(seq 1 30); do
  template=$(psql "$PG" -Atc "select enrollment_id from scheduled_steps where state = 'scheduled' limit 1" || true)
  [ -n "$template" ] && break; sleep 1
done
[ -n "$template" ] || { echo "no scheduled step to copy" >&2; exit 1; }

load=$(cut -d' ' -f1-3 /proc/loadavg)
rss_before=$(awk '/VmRSS/{print $2}' /proc/"$WF_PID"/status)
# Copies the template enrollment into $1 enrollments, subject keys "$2<n>", each with one scheduled step: the first $3
# steps come due at $4 per second from $5 (epoch seconds), the rest a day later. None is held out: the template is (as a
# tenth of enrollments are), and every copy's step would be skipped with nothing sent. Ends with ANALYZE: a bulk load leaves
# the planner's statistics describing the tables as they were before it; fresh ones, as a table that grew gradually would have.
copy_enrollments() {
  psql "$PG" -v ON_ERROR_STOP=1 -q <<SQL
create temp table tmpl_e as select * from enrollments where id = '$template';
create temp table tmpl_s as select * from scheduled_steps where enrollment_id = '$template' and state = 'scheduled' limit 1;
create temp table ids as select g, gen_random_uuid() as eid, gen_random_uuid() as sid from generate_series(1, $1) g;
create temp table t0 as select to_timestamp($5) as start;
insert into enrollments select (jsonb_populate_record(null::enrollments, to_jsonb(t) || jsonb_build_object(
  'id', ids.eid, 'subject_key', '$2' || ids.g, 'shopper_email', replace('$2', ':', '-') || ids.g || '@example.com',
  'held_out', false))).* from tmpl_e t, ids;
insert into scheduled_steps select (jsonb_populate_record(null::scheduled_steps, to_jsonb(t) || jsonb_build_object(
  'id', ids.sid, 'enrollment_id', ids.eid, 'idempotency_key', 'enrollment:' || ids.eid || ':step:' || t.step_number,
  'trace_parent', null,
  'due_at', case when ids.g <= $3
                 then (select start from t0) + (ids.g - 1) * interval '1 second' / $4
                 else (select start from t0) + interval '1 day' end))).* from tmpl_s t, ids;
analyze enrollments; analyze scheduled_steps;
SQL
}

due_count=$((SCHED_RATE * SCHED_SECONDS))
rest_count=$((SCHED_ENROLLMENTS > due_count ? SCHED_ENROLLMENTS - due_count : 0))
rest_seconds=0
if [ "$rest_count" -gt 0 ]; then
  rest_started=$(date +%s.%N)
  copy_enrollments "$rest_count" "rest:" 0 1 "$(date +%s)"
  rest_seconds=$(python3 -c "print(round($(date +%s.%N) - $rest_started, 1))")
  echo "copied $rest_count enrollments due a day later in $rest_seconds s"
fi
rss_after_rest=$(awk '/VmRSS/{print $2}' /proc/"$WF_PID"/status)
copy_started=$(date +%s.%N)
copy_enrollments "$due_count" "bench:" "$due_count" "$SCHED_RATE" "$(python3 -c "print($copy_started + $SCHED_LEAD)")"
copy_done=$(date +%s.%N)
echo "copied $due_count enrollments due at ${SCHED_RATE}/s in $(python3 -c "print(round($copy_done - $copy_started, 1))") s; first due at +${SCHED_LEAD} s"

# Until SCHED_SECONDS after the last due step at most; Workflows' memory sampled every second meanwhile.
end=$(python3 -c "print(int($copy_started + $SCHED_LEAD + 2 * $SCHED_SECONDS + 30))")
rss_max=0
# Where the two cores go while the steps come due (CPU seconds per process group of this stack, from /proc).
sleep "$(python3 -c "print(max(0, $copy_started + $SCHED_LEAD - $(date +%s.%N)))")"
python3 bench/cpu_sample.py snap bench/results/sched.cpu0.tmp
[ -z "$SCHED_STATEMENTS" ] || psql "$PG" -qAtc "create extension if not exists pg_stat_statements; select pg_stat_statements_reset()" >/dev/null
cpu_sampled=""
while [ "$(date +%s)" -lt "$end" ]; do
  rss=$(awk '/VmRSS/{print $2}' /proc/"$WF_PID"/status 2>/dev/null || echo 0); [ "$rss" -gt "$rss_max" ] && rss_max=$rss
  if [ "$(date +%s)" -gt "$(python3 -c "print(int($copy_started + $SCHED_LEAD + $SCHED_SECONDS))")" ]; then
    if [ -z "$cpu_sampled" ]; then
      python3 bench/cpu_sample.py diff bench/results/sched.cpu0.tmp $$ "$dcp_pid" >bench/results/sched.cpu.tmp; cpu_sampled=1
    fi
    left=$(psql "$PG" -Atc "select count(*) from scheduled_steps where state = 'scheduled' and due_at < now() and idempotency_key like 'enrollment:%'" || echo 1)
    [ "$left" = 0 ] && break
  fi
  sleep 1
done

psql "$PG" -At -F ' ' >bench/results/scheduling.sql.tmp <<SQL
with m as (select s.due_at, s.fired_at, s.state from scheduled_steps s join enrollments e on e.id = s.enrollment_id
           where e.subject_key like 'bench:%' and s.due_at < now() + interval '12 hours')
select count(*), count(fired_at),
  round((percentile_cont(0.5) within group (order by extract(epoch from fired_at - due_at)))::numeric * 1000, 1),
  round((percentile_cont(0.99) within group (order by extract(epoch from fired_at - due_at)))::numeric * 1000, 1),
  round((max(extract(epoch from fired_at - due_at)))::numeric * 1000, 1),
  round(extract(epoch from max(fired_at) - min(fired_at))::numeric, 2),
  (select count(*) from enrollments where state = 'active'),
  string_agg(distinct state, ',')
from m;
SQL
# What Notifier made of the fired steps: a run whose Notifier did not send measured firing without its work on the cores.
NOTIFIER_PG=${PG%/workflowsdb}/notifierdb
for _ in $(seq 1 60); do
  sent=$(psql "$NOTIFIER_PG" -Atc "select count(*) from message_requests where status = 'sent' and idempotency_key like 'enrollment:%'" || echo 0)
  [ "$sent" -ge "$(head -c 20 bench/results/scheduling.sql.tmp | cut -d' ' -f2)" ] && break
  sleep 2
done
echo "$sent" >bench/results/scheduling.sent.tmp
if [ -n "$SCHED_STATEMENTS" ]; then
  psql "$PG" -F ' | ' -Atc "select d.datname, s.calls, s.rows, round(s.total_exec_time::numeric) as ms,
      round((s.total_exec_time / greatest(s.calls, 1))::numeric, 3) as ms_per_call, left(regexp_replace(s.query, '\s+', ' ', 'g'), 160)
    from pg_stat_statements s join pg_database d on d.oid = s.dbid order by s.total_exec_time desc limit 25" \
    >bench/results/sched.statements.tmp
fi
# Lateness p99 per 10 s of due time: does it grow through the run (firing slower than the due rate) or not?
psql "$PG" -At -F ' ' >bench/results/scheduling.windows.tmp <<SQL
select floor(extract(epoch from s.due_at - (select min(due_at) from scheduled_steps x join enrollments y on y.id = x.enrollment_id
                                              where y.subject_key like 'bench:%')) / 10)::int * 10,
  round((percentile_cont(0.99) within group (order by extract(epoch from s.fired_at - s.due_at)))::numeric * 1000, 1)
from scheduled_steps s join enrollments e on e.id = s.enrollment_id
where e.subject_key like 'bench:%' and s.due_at < now() + interval '12 hours' and s.fired_at is not null
group by 1 order by 1;
SQL
# Steps fired in each of the first 20 s after the first came due (1,000 a second keeps pace): how firing starts.
psql "$PG" -At -F ' ' >bench/results/scheduling.start.tmp <<SQL
with first as (select min(s.due_at) as t0 from scheduled_steps s join enrollments e on e.id = s.enrollment_id where e.subject_key like 'bench:%')
select floor(extract(epoch from s.fired_at - first.t0))::int, count(*)
from scheduled_steps s join enrollments e on e.id = s.enrollment_id, first
where e.subject_key like 'bench:%' and s.fired_at < first.t0 + interval '20 seconds'
group by 1 order by 1;
SQL
# --- the rate sweep: fresh enrollments due at each higher rate (those a day away stay active meanwhile) -----------
: >bench/results/scheduling.sweep.tmp
for rate in $SCHED_SWEEP_RATES; do
  n=$((rate * SCHED_SWEEP_SECONDS))
  lead=$((n / 1000 + 8))   # the copy takes 0.3 to 0.7 ms a row here; no step may be due before it commits
  sweep_started=$(date +%s.%N)
  copy_enrollments "$n" "sweep$rate:" "$n" "$rate" "$(python3 -c "print($sweep_started + $lead)")"
  overran=$(python3 -c "import time; print(int(time.time() - $sweep_started > $lead))")
  deadline=$((SECONDS + lead + SCHED_SWEEP_SECONDS + 60))
  sleep $((lead + SCHED_SWEEP_SECONDS))
  while [ $SECONDS -lt $deadline ]; do
    left=$(psql "$PG" -Atc "select count(*) from scheduled_steps s join enrollments e on e.id = s.enrollment_id where e.subject_key like 'sweep$rate:%' and s.state = 'scheduled'" || echo 1)
    [ "$left" = 0 ] && break
    sleep 1
  done
  row=$(psql "$PG" -At -F ' ' -c "select count(*), count(s.fired_at),
      coalesce(round((percentile_cont(0.99) within group (order by extract(epoch from coalesce(s.fired_at, now()) - s.due_at)))::numeric * 1000, 1), 0)
    from scheduled_steps s join enrollments e on e.id = s.enrollment_id where e.subject_key like 'sweep$rate:%'")
  echo "$rate $row $overran" | tee -a bench/results/scheduling.sweep.tmp
  p99=$(cut -d' ' -f4 <<<"$rate $row")
  python3 -c "import sys; sys.exit(0 if float('$p99') < 1000 else 1)" || break
done

SCHED_SHAPE_USED=$SCHED_SHAPE python3 - "$load" "$SCHED_ENROLLMENTS" "$SCHED_RATE" "$SCHED_SECONDS" "$copy_started" "$copy_done" "$SCHED_LEAD" "$rss_before" "$rss_max" \
    "$SCHED_OUT" "$rest_seconds" "$rss_after_rest" <<'PY'
import json, os, sys
load, n, rate, secs, c0, c1, lead, rss0, rssmax, out, rest_secs, rss_rest = sys.argv[1:]
due, fired, p50, p99, mx, span, active, states = open("bench/results/scheduling.sql.tmp").read().split()
due, fired = int(due), int(fired)
res = {
    "what": "steps copied into workflowsdb (one scheduled welcome step per enrollment) coming due at a fixed rate; "
            "lateness = fired_at - due_at from scheduled_steps",
    "shape": os.environ["SCHED_SHAPE_USED"],
    "enrollments": int(n), "active_enrollments_at_end": int(active), "due_rate_per_second": int(rate), "due_seconds": int(secs),
    "copy_seconds": round(float(c1) - float(c0), 1), "copy_of_those_due_later_seconds": float(rest_secs),
    "first_due_after_copy_start_seconds": int(lead),
    # Steps due before the copy committed were late by the copy, not by firing: such a run is not a measure of firing.
    "copy_overran_lead": float(c1) - float(c0) > int(lead),
    "steps_due": due, "steps_fired": fired, "step_states": states,
    # Sent by Notifier within two minutes of the end (the template's own step and any earlier ones included).
    "notifier_messages_sent": int(open("bench/results/scheduling.sent.tmp").read().strip() or 0),
    "lateness_p50_ms": float(p50) if fired else None, "lateness_p99_ms": float(p99) if fired else None,
    "lateness_max_ms": float(mx) if fired else None,
    "firing_rate_per_second": round(fired / float(span), 1) if fired and float(span) > 0 else None,
    "workflows_rss_mb_before": round(int(rss0) / 1024, 1), "workflows_rss_mb_after_copy": round(int(rss_rest) / 1024, 1),
    "workflows_rss_mb_max": round(int(rssmax) / 1024, 1),
    "loadavg_before": load.split(), "loadavg_after": open("/proc/loadavg").read().split()[:3],
    "lateness_p99_ms_by_10s_of_due_time": {f"{w}-{int(w) + 10}s": float(v) for w, v in
                                            (l.split() for l in open("bench/results/scheduling.windows.tmp").read().split("\n") if l.strip())},
    "fired_per_second_from_first_due": {int(sec): int(c) for sec, c in
                                         (l.split() for l in open("bench/results/scheduling.start.tmp").read().split("\n") if l.strip())},
}
sweep = [dict(zip(("rate_per_second", "steps_due", "steps_fired", "lateness_p99_ms", "copy_overran_lead"), map(float, l.split())))
         for l in open("bench/results/scheduling.sweep.tmp").read().split("\n") if l.strip()]
for r in sweep:
    for k in ("rate_per_second", "steps_due", "steps_fired"):
        r[k] = int(r[k])
    r["copy_overran_lead"] = r["copy_overran_lead"] == 1
res["rate_sweep"] = sweep
res["sweep_seconds"] = int(os.environ["SCHED_SWEEP_SECONDS"])
kept = [int(rate)] if fired == due and fired and float(p99) < 1000 else []
kept += [r["rate_per_second"] for r in sweep if r["steps_fired"] == r["steps_due"] and r["lateness_p99_ms"] < 1000]
res["highest_rate_with_p99_under_1s"] = max(kept) if kept else None
try:
    cpu = json.load(open("bench/results/sched.cpu.tmp"))
    seconds = int(secs)
    res["cores_busy_while_due"] = {k: round(v / seconds, 2) for k, v in sorted(cpu.items(), key=lambda kv: -kv[1]) if v / seconds >= 0.005}
except (OSError, ValueError):
    pass
print(json.dumps(res, indent=2))
json.dump(res, open(out, "w"), indent=2)
PY
