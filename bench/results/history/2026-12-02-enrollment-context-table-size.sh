# Table sizes after the same load, Workflows build A (/tmp/wf-after) then B (/tmp/wf-ctx)
# A record (2026-12-02, issue 16): enrollments table size before (A, 99a605f) and after (B, 710c560) the context lever; output in the .txt beside it (side, events, enrollments, enrollments total bytes, heap bytes, received_events total bytes).
set -uo pipefail
cd /work/main
source bench/deployed_up.sh
deployed_secrets
BIN=FlexyPe.Workflows/bin/Release/net10.0
kept=$(mktemp -d); cp -r $BIN $kept/
trap 'deployed_down; rm -rf $BIN && cp -r $kept/net10.0 $BIN' EXIT
for side in A B; do
  dir=/tmp/wf-after; [ $side = B ] && dir=/tmp/wf-ctx
  rm -rf $BIN && cp -r $dir $BIN
  run=$(mktemp -d /tmp/idx-sizes.XXXX); chmod 755 "$run"
  deployed_up "$run" "$run/deployed.log" || exit 1
  deployed_load 500 30 "sz$side$RANDOM"; deployed_drain >/dev/null
  deployed_sql workflowsdb "vacuum analyze" >/dev/null
  echo "$side $(deployed_sql workflowsdb "select (select count(*) from received_events), (select count(*) from enrollments), pg_total_relation_size('enrollments'), pg_relation_size('enrollments'), pg_total_relation_size('received_events')")"
  [ $side = A ] && echo "A context: $(deployed_sql workflowsdb "select round(avg(pg_column_size(context))), round(avg(octet_length(context::text))) from enrollments")"
  deployed_down; rm -rf "$run"
done
