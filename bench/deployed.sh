#!/usr/bin/env bash
# Our stack in the shape it is deployed in, for benchmark part 1 ("ours, deployed"): no AppHost, DCP or dashboard;
# each service its own process from its Release build, Production environment, on 127.0.0.1:
#   Postgres (initdb in DIR, max_connections 300 as the AppHost's) :5441   Redis (no persistence, as the AppHost's) :6391
#   Ingest :5110   Workflows :5211   Notifier :5311   an SMTP sink (bench/Sending --sink-only) :2526
#   an OTLP sink (bench/OtlpSink) :4318 that every service exports traces, metrics and logs to over OTLP/HTTP, with
#   traces sampled as in production: OTEL_TRACES_SAMPLER=parentbased_traceidratio, OTEL_TRACES_SAMPLER_ARG=TRACE_SAMPLE.
# Everything it starts is its descendant, so its CPU can be counted apart from the AppHost's; TERM stops it all.
#   SECRET=… ADMIN_KEY=… bash bench/deployed.sh DIR   (run by bench/run.sh; DIR must be empty and readable by postgres;
#   the secrets come in the environment, never on a command line). INGEST_ENV="NAME=VALUE …" adds settings to Ingest's
#   environment only (a runtime switch another service cannot run with, such as inline socket completions).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DIR=$1
: "${SECRET:?SECRET (the webhook secret) must be set}" "${ADMIN_KEY:?ADMIN_KEY must be set}"
TRACE_SAMPLE=${TRACE_SAMPLE:-0.1}
# PG_STATEMENTS=1 loads pg_stat_statements (which statements the database spends its time on) for profiling.
pg_extra=(); [ -z "${PG_STATEMENTS:-}" ] || pg_extra=(-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all)
# A missing server would not stop the stack from starting (Ingest runs on without Redis, Postgres deciding): refuse.
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
for tool in redis-server "$PG_BIN/initdb"; do
  command -v "$tool" >/dev/null || { echo "${tool#/} is not installed (bench/run.sh installs what the benchmarks need)" >&2; exit 1; }
done
# Nor would a missing sink (Notifier reports itself unhealthy without its SMTP server): say which build is missing.
for sink in bench/Sending/bin/Release/net10.0/Sending.dll bench/OtlpSink/bin/Release/net10.0/OtlpSink.dll; do
  [ -f "$sink" ] || { echo "$sink is not built: dotnet build $(dirname "${sink%%/bin/*}/x") -c Release" >&2; exit 1; }
done
pids=()
pg_pid="" services=()
stop() {
  # The services first (their last telemetry export and database work need the sinks and Postgres), then the rest.
  for pid in "${services[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${services[@]}"; do wait "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  # Postgres's fast shutdown (SIGINT): TERM would wait for every client to leave.
  [ -z "$pg_pid" ] || kill -INT "$pg_pid" 2>/dev/null || true
  wait || true
}
trap stop EXIT INT TERM

as_postgres=()   # Postgres refuses to run as root: as root, run it as the postgres account
if [ "$(id -u)" = 0 ]; then as_postgres=(setpriv --reuid=postgres --regid=postgres --init-groups); fi
mkdir -p "$DIR/pg"; [ "$(id -u)" != 0 ] || chown postgres:postgres "$DIR/pg"
"${as_postgres[@]}" "$PG_BIN/initdb" -D "$DIR/pg" -U postgres --auth=trust -E UTF8 --no-locale >"$DIR/initdb.log"
"${as_postgres[@]}" "$PG_BIN/postgres" -D "$DIR/pg" -k "$DIR/pg" -h 127.0.0.1 -p 5441 -c max_connections=300 "${pg_extra[@]}" >"$DIR/postgres.log" 2>&1 &
pg_pid=$!
redis-server --port 6391 --bind 127.0.0.1 --save "" --appendonly no >"$DIR/redis.log" 2>&1 &
pids+=("$!")
dotnet bench/Sending/bin/Release/net10.0/Sending.dll --sink-only 2526 >"$DIR/smtp-sink.log" 2>&1 &
pids+=("$!")
OTLP_SINK_URL=http://127.0.0.1:4318 dotnet bench/OtlpSink/bin/Release/net10.0/OtlpSink.dll >"$DIR/otlp-sink.log" 2>&1 &
pids+=("$!")
for _ in $(seq 1 60); do "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p 5441 && break; sleep 0.5; done
for db in ingestdb workflowsdb notifierdb; do psql -q -h 127.0.0.1 -p 5441 -U postgres -c "create database $db" postgres; done

pg() { echo "Host=127.0.0.1;Port=5441;Username=postgres;Database=$1"; }
common=(ASPNETCORE_ENVIRONMENT=Production DOTNET_gcServer=0 Admin__ApiKey="$ADMIN_KEY"
  OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
  OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG="$TRACE_SAMPLE")
service() { # name port env...   (run from its build folder, whose appsettings.json it reads, as in a container)
  local name=$1 port=$2; shift 2
  (cd "$ROOT/FlexyPe.$name/bin/Release/net10.0" && exec env "${common[@]}" OTEL_SERVICE_NAME="${name,,}" \
    ASPNETCORE_URLS="http://127.0.0.1:$port" "$@" "./FlexyPe.$name") >"$DIR/${name,,}.log" 2>&1 &
  services+=("$!")
}
service Workflows 5211 ConnectionStrings__workflowsdb="$(pg workflowsdb)" services__notifier__http__0=http://127.0.0.1:5311
service Notifier 5311 ConnectionStrings__notifierdb="$(pg notifierdb)" ConnectionStrings__smtp=smtp://127.0.0.1:2526 \
  services__workflows__http__0=http://127.0.0.1:5211 Notifier__PublicBaseUrl=http://127.0.0.1:5311
service Ingest 5110 ConnectionStrings__ingestdb="$(pg ingestdb)" ConnectionStrings__redis=127.0.0.1:6391 \
  services__workflows__http__0=http://127.0.0.1:5211 Ingest__WebhookSecrets__0="$SECRET" ${INGEST_ENV:-}
wait
