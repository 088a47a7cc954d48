# Sourced by benchmark scripts that run the stack as deployed (scheduling.sh with SCHED_SHAPE=deployed, ingest_ab.sh):
#   deployed_secrets      a fresh webhook secret and operator key for this run, exported: SECRET (also as
#                         FLEXYPE_WEBHOOK_SECRET, where the simulator and wrk's payloads read it) and ADMIN_KEY
#   deployed_up DIR LOG   starts bench/deployed.sh in DIR (SECRET and ADMIN_KEY from the environment), its output in
#                         LOG; waits until Ingest, Workflows and Notifier answer /health; sets deployed_pid and WF_PID.
#                         DEPLOYED_ROOT (default: this checkout) runs another checkout's bench/deployed.sh and builds.
#   deployed_up_env "NAME=VALUE …" DIR LOG
#                         deployed_up with those settings in the stack's environment (one side of an A/B of a setting)
#   deployed_down         stops it (and everything it started) and waits for it.
#   deployed_welcome_at_once
#                         exports the settings bench/stack.sh gives the AppHost: quiet hours off, no frequency cap, a
#                         zero-delay welcome step (so one new-customer webhook makes an email at once); before deployed_up
#   deployed_up_paused DIR LOG [PATH...]
#                         deployed_up, then Workflows SIGSTOPped (the hand-offs wait, as when it runs elsewhere); on
#                         exit Workflows is continued, the stack stopped, and DIR and each PATH removed.
# For the benchmarks of Workflows' intake (intake_ab.sh, intake_profile.sh), on a stack that is up:
#   deployed_sinks        builds the stack's SMTP and OTLP sinks (the services and the simulator come from the
#                         caller's Release build)
#   deployed_sql DB SQL   one value from one of its databases
#   deployed_backlog      hand-offs Ingest has not yet delivered to Workflows
#   deployed_waiting      whether any hand-off waits (t or f; cheap enough to poll while a backlog drains)
#   deployed_taken        events Workflows has taken
#   deployed_load RATE SECONDS RUN_ID
#                         the simulator's journeys (every payload version) at a fixed rate, open loop
#   deployed_drain [START]
#                         waits until no hand-off waits; prints the seconds since START (date +%s.%N; default now)
# For saturating the deployed Ingest with wrk (ingest_ab.sh, ingest_perf.sh):
#   deployed_wrk_payloads the payload mix bench/wrk/webhooks.lua sends (made once by the simulator, kept as a .tmp
#                         file), exported with the path it posts to; SECRET must be exported already
#   deployed_saturate SECONDS RUN_ID
#                         wrk -t2 -c32 at Ingest for SECONDS; prints wrk's report
deployed_secrets() {
  SECRET=$(openssl rand -hex 24) ADMIN_KEY=$(openssl rand -hex 24)
  export SECRET ADMIN_KEY FLEXYPE_WEBHOOK_SECRET=$SECRET
}

deployed_up() {
  bash "${DEPLOYED_ROOT:-.}/bench/deployed.sh" "$1" >"$2" 2>&1 &
  deployed_pid=$!
  local port
  for port in 5110 5211 5311; do
    for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && continue 2; sleep 1; done
    echo "the deployed stack did not answer on :$port within 120 s; see $2" >&2; return 1
  done
  WF_PID=$(pgrep -f '^./FlexyPe.Workflows' | head -n 1)
}

deployed_welcome_at_once() {
  export Workflows__QuietHours__Enabled=false Workflows__FrequencyCap=00:00:00 Workflows__Seed__WelcomeDelays=00:00:00,3.00:00:00
}

deployed_up_env() {
  local setting
  for setting in $1; do export "${setting?}"; done
  deployed_up "$2" "$3"
  for setting in $1; do unset "${setting%%=*}"; done
}

deployed_down() {
  [ -n "${deployed_pid:-}" ] || return 0
  kill -TERM "$deployed_pid" 2>/dev/null || true; wait "$deployed_pid" 2>/dev/null || true
  deployed_pid=""
}

deployed_up_paused() {
  deployed_cleanup=("$1" "${@:3}")
  trap deployed_paused_down EXIT
  deployed_up "$1" "$2"
  kill -STOP "$WF_PID"
}

deployed_paused_down() {
  [ -z "${WF_PID:-}" ] || kill -CONT "$WF_PID" 2>/dev/null || true
  trap '' INT TERM   # stopping the stack signals its group too
  deployed_down
  rm -rf "${deployed_cleanup[@]}"
}

deployed_sinks() {
  dotnet build bench/Sending -c Release -v quiet -nologo >/dev/null
  dotnet build bench/OtlpSink -c Release -v quiet -nologo >/dev/null
}

deployed_sql() { psql -At -h 127.0.0.1 -p 5441 -U postgres "$1" -c "$2"; }
deployed_backlog() { deployed_sql ingestdb "select count(*) from outbox_messages where delivered_at is null"; }
# Whether any hand-off waits: polled ten times a second while a backlog drains, so it stops at the first row instead of
# counting them all (a count took 34 ms of Postgres time a poll at 20,000 waiting, on the cores the drain is measured on).
deployed_waiting() { deployed_sql ingestdb "select exists (select 1 from outbox_messages where delivered_at is null)"; }
deployed_taken() { deployed_sql workflowsdb "select count(*) from received_events"; }

deployed_load() {
  tools/FlexyPe.Simulator/bin/Release/net10.0/flexype-simulator load --url http://127.0.0.1:5110/webhooks/flexype \
    --rate "$1" --duration "$2" --concurrency 128 --version mixed --seed 2026 --run-id "$3" --timeout 10 --quiet >/dev/null
}

deployed_drain() {
  local start=${1:-$(date +%s.%N)}
  for _ in $(seq 1 6000); do
    [ "$(deployed_waiting)" = f ] && { awk -v s="$start" -v n="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", n - s }'; return 0; }
    sleep 0.1
  done
  echo "not drained" >&2; return 1
}

deployed_wrk_payloads() {
  PAYLOADS=$(pwd)/bench/results/payloads.lua.tmp
  [ -f "$PAYLOADS" ] || tools/FlexyPe.Simulator/bin/Release/net10.0/flexype-simulator payloads --version mixed --seed 2026 \
    --run-id bench --count 400 --out "$PAYLOADS" >/dev/null
  export PAYLOADS FLEXYPE_WEBHOOK_SECRET=$SECRET WEBHOOK_PATH=/webhooks/flexype
}

deployed_saturate() {
  RUN_ID="$2" wrk -t2 -c32 -d"$1s" --timeout 10s -s bench/wrk/webhooks.lua http://127.0.0.1:5110
}
