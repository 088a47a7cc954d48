#!/usr/bin/env bash
# The shopper-history read (EnrollmentFeatures.HistoryAsync, which every discount decision runs) and an enrollment's
# recoveries (GET /api/enrollments/{id}) with and without ix_recoveries_enrollment_id_step_number, on a deployed stack
# that took 20 s of the simulator's traffic, before and after seeding RECOVERIES rows of other enrollments.
# From the repository root, after a Release build: bash bench/results/history/2026-12-02-recoveries-by-enrollment/run.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
RECOVERIES=${RECOVERIES:-300000}
# shellcheck source=bench/deployed_up.sh
source bench/deployed_up.sh
deployed_secrets
deployed_sinks
run=$(mktemp -d /tmp/recoveries-run.XXXX); chmod 755 "$run"
trap 'deployed_down; rm -rf "$run"' EXIT
deployed_up "$run" "$run/deployed.log"
deployed_load 1000 20 "recoveries$RANDOM"
deployed_drain >/dev/null

# A shopper with the most enrollments, and one of its enrollments.
read -r store email enrollment < <(deployed_sql workflowsdb "select store_id || ' ' || shopper_email || ' ' || id from enrollments
  where shopper_email in (select shopper_email from enrollments where shopper_email is not null group by 1 order by count(*) desc limit 1) limit 1")
cat > "$run/history.sql" <<SQL
SELECT
  (SELECT count(*)::int FROM recoveries c JOIN enrollments e ON e.id = c.enrollment_id
    WHERE e.store_id = '$store' AND e.shopper_email = '$email' AND c.recovered_at < now()) AS recoveries,
  (SELECT count(*)::int FROM scheduled_steps s JOIN enrollments e ON e.id = s.enrollment_id
    WHERE e.store_id = '$store' AND e.shopper_email = '$email' AND s.discount_offered AND s.fired_at < now()) AS discounts;
SQL
echo "SELECT * FROM recoveries WHERE enrollment_id = '$enrollment';" > "$run/page.sql"

measure() { # LABEL: mean latency (ms) of each read over 10 s, one client, and the plan of the history read
  local label=$1 what
  deployed_sql workflowsdb "analyze recoveries" >/dev/null
  for what in history page; do
    printf '%s\t%s\t%s\n' "$label" "$what" \
      "$(pgbench -n -h 127.0.0.1 -p 5441 -U postgres -f "$run/$what.sql" -T 10 workflowsdb 2>/dev/null | awk -F' = ' '/latency average/ {print $2}')"
  done >> "$here/latency.tsv"
  { echo "== $label"; psql -h 127.0.0.1 -p 5441 -U postgres workflowsdb -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) $(cat "$run/history.sql")"; } >> "$here/plans.txt"
}

printf 'case\tread\tlatency\n' > "$here/latency.tsv"; : > "$here/plans.txt"
echo "recoveries: $(deployed_sql workflowsdb 'select count(*) from recoveries'), enrollments: $(deployed_sql workflowsdb 'select count(*) from enrollments')" > "$here/tables.txt"
measure "as drained, with the index"
deployed_sql workflowsdb "drop index ix_recoveries_enrollment_id_step_number" >/dev/null
measure "as drained, without it"
deployed_sql workflowsdb "insert into recoveries (id, store_id, checkout_key, enrollment_id, sequence_id, sequence_key, step_number, revenue, recovered_at)
  select gen_random_uuid(), 'seeded.myshopify.com', 'seeded-' || g, gen_random_uuid(), gen_random_uuid(), 'seeded', 1 + g % 3, 100, now() - interval '1 day'
  from generate_series(1, $RECOVERIES) g" >/dev/null
echo "seeded: recoveries $(deployed_sql workflowsdb 'select count(*) from recoveries')" >> "$here/tables.txt"
measure "$RECOVERIES recoveries of other enrollments, without the index"
deployed_sql workflowsdb "create index ix_recoveries_enrollment_id_step_number on recoveries (enrollment_id, step_number)" >/dev/null
measure "$RECOVERIES recoveries of other enrollments, with the index"
cat "$here/tables.txt" "$here/latency.tsv"
