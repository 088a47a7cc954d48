#!/usr/bin/env bash
# What one message costs Notifier to send, and where that CPU goes. On the stack as deployed (bench/deployed.sh), one
# real welcome email is made the way users' are (a new-customer webhook; Workflows renders it and hands it to Notifier),
# then its request row is copied in notifierdb with SQL into NOTIFIER_REQUESTS pending requests (each its own key,
# address and Message-ID), all due at once: a backlog like the one the million's firing leaves (bench/scheduling.sh).
# After NOTIFIER_WARM seconds of sending, for NOTIFIER_SECONDS: the requests sent per second, the CPU seconds of each
# process (bench/cpu_sample.py), so Notifier's CPU per message sent, and `perf` call graphs of Notifier's threads
# (PERF_HZ a second; managed frames named through the runtime's perf map, as bench/ingest_perf.sh), summed into shares
# by bench/perf_share.py. Writes bench/results/notifier-perf.json; stops what it started. Needs root or
# kernel.perf_event_paranoid <= 1, and a Release build of the services.
#   NOTIFIER_REQUESTS=10000 NOTIFIER_SECONDS=20 bash bench/notifier_perf.sh
# DEPLOYED_ROOT=DIR runs another checkout's Release build (one side of an A/B); NOTIFIER_OUT=FILE writes there instead.
set -euo pipefail
cd "$(dirname "$0")/.."
NOTIFIER_REQUESTS=${NOTIFIER_REQUESTS:-10000} NOTIFIER_WARM=${NOTIFIER_WARM:-10} NOTIFIER_SECONDS=${NOTIFIER_SECONDS:-20}
PERF_HZ=${PERF_HZ:-499} NOTIFIER_OUT=${NOTIFIER_OUT:-bench/results/notifier-perf.json}
command -v perf >/dev/null || bash scripts/ensure-packages.sh linux-perf
# shellcheck source=bench/deployed_up.sh
source bench/deployed_up.sh
deployed_secrets
deployed_welcome_at_once
export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0
run=$(mktemp -d /tmp/notifier-perf.XXXX); chmod 755 "$run"
deployed_sinks
trap 'deployed_down; rm -rf "$run"; rm -f "/tmp/perf-${notifier:-none}.map"' EXIT
deployed_up "$run" "$run/deployed.log"
notifier=$(pgrep -f '^./FlexyPe.Notifier' | head -n 1)

python3 bench/e2e.py --secret "$SECRET" --ingest http://127.0.0.1:5110/webhooks/flexype --count 1 --rate 1 --warmup 0 --wait 5 >/dev/null || true
template=""
for _ in $(seq 1 60); do
  template=$(deployed_sql notifierdb "select id from message_requests where status = 'sent' limit 1")
  [ -n "$template" ] && break; sleep 1
done
if [ -z "$template" ]; then
  cp "$run/deployed.log" bench/results/notifier-perf.deployed.log.tmp
  echo "no sent message request to copy (see bench/results/notifier-perf.deployed.log.tmp)" >&2; exit 1
fi
html_bytes=$(deployed_sql notifierdb "select octet_length(html_body) from message_requests where id = '$template'")

deployed_sql notifierdb "
insert into message_requests select (jsonb_populate_record(null::message_requests, to_jsonb(t) || jsonb_build_object(
  'id', gen_random_uuid(), 'idempotency_key', 'bench:' || g, 'to', 'shopper' || g || '@example.com',
  'message_id', replace(t.message_id, '@', '.bench' || g || '@'), 'status', 'pending', 'attempt_count', 0,
  'created_at', now(), 'next_attempt_at', now(), 'claimed_at', null, 'completed_at', null, 'mime', null,
  'last_smtp_reply', null))).*
from (select * from message_requests where id = '$template') t, generate_series(1, $NOTIFIER_REQUESTS) g" >/dev/null
sent() { deployed_sql notifierdb "select count(*) from message_requests where status = 'sent' and idempotency_key like 'bench:%'"; }
sleep "$NOTIFIER_WARM"
python3 bench/cpu_sample.py snap "$run/cpu.snap"
sent_before=$(sent); started=$(date +%s.%N)
perf record -F "$PERF_HZ" -g -p "$notifier" -o "$run/perf.data" -- sleep "$NOTIFIER_SECONDS" 2>/dev/null
sent_after=$(sent); ended=$(date +%s.%N)
python3 bench/cpu_sample.py diff "$run/cpu.snap" "$deployed_pid" >"$run/cpu.json"
python3 - "$run/cpu.json" "$sent_before" "$sent_after" "$started" "$ended" "$html_bytes" "$NOTIFIER_REQUESTS" >"$run/figures.json" <<'PY'
import json, sys
cpu, before, after, started, ended, html, requests = json.load(open(sys.argv[1])), *map(float, sys.argv[2:])
seconds, sent = ended - started, after - before
print(json.dumps({
    "what": f"Notifier sending a backlog of {int(requests):,} copies of one real welcome email ({int(html):,} bytes of HTML) "
            "to the deployed stack's SMTP sink, its 4 sending loops; perf samples of Notifier's threads",
    "sent_per_second": round(sent / seconds, 1),
    "notifier_cpu_ms_per_message": round(1000 * cpu.get("notifier", 0.0) / max(1, sent), 2),
    "cores_busy_by_process": {k: round(v / seconds, 2) for k, v in cpu.items()},
    "seconds": round(seconds, 1), "html_bytes": int(html)}))
PY
perf script -i "$run/perf.data" 2>/dev/null >"$run/perf.txt"
python3 bench/perf_share.py "$run/perf.txt" "$run/figures.json" "$run/cpu.json" "$NOTIFIER_OUT" notifier
python3 -c "import json, sys; d = json.load(open(sys.argv[1])); print({k: d[k] for k in ('sent_per_second', 'notifier_cpu_ms_per_message', 'cores_busy_by_process')})" "$NOTIFIER_OUT"
