#!/usr/bin/env bash
# Benchmark part 3: scheduling at scale. Starts the AppHost as bench/e2e.sh does, makes one real welcome enrollment
# (a webhook), then copies it in workflowsdb with SQL into SCHED_ENROLLMENTS enrollments, each with one scheduled step:
# SCHED_RATE x SCHED_SECONDS of them come due at SCHED_RATE per second from a moment after the copy, the rest a day
# later (active, not due). Measures firing lateness (fired_at - due_at) of the due ones, the firing rate and Workflows'
# memory. Writes bench/results/scheduling.json. 127.0.0.1 only, bounded in time, stops everything it started.
#   SCHED_ENROLLMENTS=100000 SCHED_RATE=1000 SCHED_SECONDS=60 bash bench/scheduling.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SCHED_ENROLLMENTS=${SCHED_ENROLLMENTS:-100000}
SCHED_RATE=${SCHED_RATE:-1000}
SCHED_SECONDS=${SCHED_SECONDS:-60}
SCHED_LEAD=${SCHED_LEAD:-45}   # seconds from the start of the copy to the first due step
mkdir -p bench/results
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
[ -n "${SCHED_NO_BUILD:-}" ] || { dotnet tool restore >/dev/null; dotnet build FlexyPe.Recovery.sln -c Release -v quiet -nologo >/dev/null; }

DATA_DIR=$(mktemp -d /tmp/flexype-sched-XXXXXX); chmod 755 "$DATA_DIR"
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
LOG=bench/results/scheduling.apphost.log.tmp
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


WF_PID=$(pgrep -f "$ROOT/FlexyPe.Workflows/bin/Release" | head -n 1)
cs=$(tr '\0' '\n' </proc/"$WF_PID"/environ | sed -n 's/^ConnectionStrings__workflowsdb=//p')
pg_port=$(sed -n 's/.*Port=\([^;]*\).*/\1/p' <<<"$cs"); pg_user=$(sed -n 's/.*Username=\([^;]*\).*/\1/p' <<<"$cs")
pg_pass=$(sed -n 's/.*Password=\([^;]*\).*/\1/p' <<<"$cs")
export PGPASSWORD=$pg_pass
PG="postgresql://${pg_user:-postgres}@127.0.0.1:${pg_port:-5432}/workflowsdb"

# One real enrollment to copy: a new customer; its second welcome step (3 days) stays scheduled.
python3 bench/e2e.py --secret "$SECRET" --count 1 --rate 1 --warmup 0 --wait 30 >/dev/null
template=""
for _ in $(seq 1 30); do
  template=$(psql "$PG" -Atc "select enrollment_id from scheduled_steps where state = 'scheduled' limit 1" || true)
  [ -n "$template" ] && break; sleep 1
done
[ -n "$template" ] || { echo "no scheduled step to copy" >&2; exit 1; }

load=$(cut -d' ' -f1-3 /proc/loadavg)
rss_before=$(awk '/VmRSS/{print $2}' /proc/"$WF_PID"/status)
copy_started=$(date +%s.%N)
psql "$PG" -v ON_ERROR_STOP=1 -q <<SQL
create temp table tmpl_e as select * from enrollments where id = '$template';
create temp table tmpl_s as select * from scheduled_steps where enrollment_id = '$template' and state = 'scheduled' limit 1;
create temp table ids as select g, gen_random_uuid() as eid, gen_random_uuid() as sid from generate_series(1, $SCHED_ENROLLMENTS) g;
create temp table t0 as select to_timestamp($copy_started) + interval '$SCHED_LEAD seconds' as start;
insert into enrollments select (jsonb_populate_record(null::enrollments, to_jsonb(t) || jsonb_build_object(
  'id', ids.eid, 'subject_key', 'bench:' || ids.g, 'shopper_email', 'sched-' || ids.g || '@example.com'))).* from tmpl_e t, ids;
insert into scheduled_steps select (jsonb_populate_record(null::scheduled_steps, to_jsonb(t) || jsonb_build_object(
  'id', ids.sid, 'enrollment_id', ids.eid, 'idempotency_key', 'enrollment:' || ids.eid || ':step:' || t.step_number,
  'trace_parent', null,
  'due_at', case when ids.g <= $SCHED_RATE * $SCHED_SECONDS
                 then (select start from t0) + (ids.g - 1) * interval '1 second' / $SCHED_RATE
                 else (select start from t0) + interval '1 day' end))).* from tmpl_s t, ids;
SQL
copy_done=$(date +%s.%N)
echo "copied $SCHED_ENROLLMENTS enrollments in $(python3 -c "print(round($copy_done - $copy_started, 1))") s; first due at +${SCHED_LEAD} s"

# Until SCHED_SECONDS after the last due step at most; Workflows' memory sampled every second meanwhile.
end=$(python3 -c "print(int($copy_started + $SCHED_LEAD + 2 * $SCHED_SECONDS + 30))")
rss_max=0
while [ "$(date +%s)" -lt "$end" ]; do
  rss=$(awk '/VmRSS/{print $2}' /proc/"$WF_PID"/status 2>/dev/null || echo 0); [ "$rss" -gt "$rss_max" ] && rss_max=$rss
  if [ "$(date +%s)" -gt "$(python3 -c "print(int($copy_started + $SCHED_LEAD + $SCHED_SECONDS))")" ]; then
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
  (select count(*) from enrollments where subject_key like 'bench:%' and state = 'active'),
  string_agg(distinct state, ',')
from m;
SQL
python3 - "$load" "$SCHED_ENROLLMENTS" "$SCHED_RATE" "$SCHED_SECONDS" "$copy_started" "$copy_done" "$SCHED_LEAD" "$rss_before" "$rss_max" <<'PY'
import json, sys
load, n, rate, secs, c0, c1, lead, rss0, rssmax = sys.argv[1:]
due, fired, p50, p99, mx, span, active, states = open("bench/results/scheduling.sql.tmp").read().split()
due, fired = int(due), int(fired)
res = {
    "what": "steps copied into workflowsdb (one scheduled welcome step per enrollment) coming due at a fixed rate; "
            "lateness = fired_at - due_at from scheduled_steps",
    "enrollments": int(n), "active_enrollments_at_end": int(active), "due_rate_per_second": int(rate), "due_seconds": int(secs),
    "copy_seconds": round(float(c1) - float(c0), 1), "first_due_after_copy_start_seconds": int(lead),
    "steps_due": due, "steps_fired": fired, "step_states": states,
    "lateness_p50_ms": float(p50) if fired else None, "lateness_p99_ms": float(p99) if fired else None,
    "lateness_max_ms": float(mx) if fired else None,
    "firing_rate_per_second": round(fired / float(span), 1) if fired and float(span) > 0 else None,
    "workflows_rss_mb_before": round(int(rss0) / 1024, 1), "workflows_rss_mb_max": round(int(rssmax) / 1024, 1),
    "loadavg_before": load.split(), "loadavg_after": open("/proc/loadavg").read().split()[:3],
}
print(json.dumps(res, indent=2))
json.dump(res, open("bench/results/scheduling.json", "w"), indent=2)
PY
