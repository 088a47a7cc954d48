#!/usr/bin/env bash
# A record (2026-12-02, issue 16): the recoveries index measured alone. Outputs went to /tmp/idx/out; copied here.
# Same build both sides; A drops ix_recoveries_enrollment_id_step_number once the stack is up, B keeps it.
set -uo pipefail
cd /work/main
source bench/deployed_up.sh
deployed_secrets
export PG_STATEMENTS=1
RATE=${RATE:-450} SECS=${SECS:-60}
OUT=/tmp/idx/out; mkdir -p $OUT
trap deployed_down EXIT
i=0
for side in ${SIDES:-A B B A}; do
  i=$((i+1)); tag="$i$side"
  run=$(mktemp -d /tmp/idx-run.XXXX); chmod 755 "$run"
  deployed_up "$run" "$run/deployed.log" || exit 1
  deployed_sql workflowsdb "create extension if not exists pg_stat_statements" >/dev/null
  [ "$side" = A ] && deployed_sql workflowsdb "drop index ix_recoveries_enrollment_id_step_number" >/dev/null
  deployed_sql workflowsdb "select count(*) from pg_indexes where indexname='ix_recoveries_enrollment_id_step_number'" > $OUT/$tag.hasindex
  deployed_load 500 15 "warm$tag$RANDOM"; deployed_drain >/dev/null
  deployed_sql workflowsdb "select pg_stat_statements_reset()" >/dev/null
  python3 bench/cpu_sample.py snap "$run/cpu.snap"
  t0=$(deployed_taken)
  deployed_load "$RATE" "$SECS" "ab$tag$RANDOM" &
  lp=$!
  start=$(date +%s.%N); : > $OUT/$tag.backlog
  while kill -0 $lp 2>/dev/null; do
    b=$(deployed_backlog); awk -v n="$(date +%s.%N)" -v s="$start" -v b="$b" 'BEGIN{printf "%.1f %s\n", n-s, b}' >> $OUT/$tag.backlog; sleep 1
  done
  python3 bench/cpu_sample.py diff "$run/cpu.snap" "$deployed_pid" > $OUT/$tag.cpu
  d=$(deployed_drain)
  t1=$(deployed_taken)
  echo "$side taken=$((t1-t0)) drain=$d load=$(cut -d' ' -f1 /proc/loadavg) cpu=$(tr -d ' ' < $OUT/$tag.cpu)" | tee -a $OUT/summary
  deployed_sql workflowsdb "select calls, round(total_exec_time::numeric,1) total_ms, round((total_exec_time/calls)::numeric*1000,1) us, rows, left(regexp_replace(query,'\s+',' ','g'),160) from pg_stat_statements s join pg_database d on d.oid=s.dbid where d.datname=current_database() order by total_exec_time desc limit 30" > $OUT/$tag.stmts
  deployed_sql workflowsdb "select (select count(*) from recoveries), (select count(*) from enrollments), (select count(*) from scheduled_steps)" > $OUT/$tag.counts
  deployed_down
  rm -rf "$run"
done
echo done >> $OUT/summary
