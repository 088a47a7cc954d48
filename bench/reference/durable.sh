#!/usr/bin/env bash
# The durable reference (durable.js) with a Postgres of its own, started the way bench/deployed.sh starts ours (the
# same initdb options, max_connections 300, fsync and synchronous_commit at their defaults), so both write to a
# database set up alike. Everything it starts is its descendant, so its CPU (Node.js and Postgres) is counted apart
# from ours; TERM stops it all.
#   FLEXYPE_WEBHOOK_SECRET=… bash bench/reference/durable.sh DIR   (run by bench/run.sh; DIR empty, readable by postgres)
#   Node.js on 127.0.0.1:${PORT:-3001}, Postgres on 127.0.0.1:${PG_PORT:-5442}.
set -euo pipefail
cd "$(dirname "$0")"
DIR=$1
: "${FLEXYPE_WEBHOOK_SECRET:?FLEXYPE_WEBHOOK_SECRET must be set}"
PG_PORT=${PG_PORT:-5442}
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pg_pid="" node_pid=""
stop() {
  [ -z "$node_pid" ] || kill -TERM "$node_pid" 2>/dev/null || true
  [ -z "$node_pid" ] || wait "$node_pid" 2>/dev/null || true
  [ -z "$pg_pid" ] || kill -INT "$pg_pid" 2>/dev/null || true   # Postgres's fast shutdown
  wait || true
}
trap stop EXIT INT TERM

as_postgres=()   # Postgres refuses to run as root
if [ "$(id -u)" = 0 ]; then as_postgres=(setpriv --reuid=postgres --regid=postgres --init-groups); fi
mkdir -p "$DIR/pg"; [ "$(id -u)" != 0 ] || chown postgres:postgres "$DIR/pg"
"${as_postgres[@]}" "$PG_BIN/initdb" -D "$DIR/pg" -U postgres --auth=trust -E UTF8 --no-locale >"$DIR/initdb.log"
"${as_postgres[@]}" "$PG_BIN/postgres" -D "$DIR/pg" -k "$DIR/pg" -h 127.0.0.1 -p "$PG_PORT" -c max_connections=300 >"$DIR/postgres.log" 2>&1 &
pg_pid=$!
for _ in $(seq 1 60); do "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && break; sleep 0.5; done
psql -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -c "create database referencedb" postgres
NODE_ENV=production DATABASE_URL="postgresql://postgres@127.0.0.1:$PG_PORT/referencedb" node durable.js >"$DIR/node.log" 2>&1 &
node_pid=$!
wait
