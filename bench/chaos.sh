#!/usr/bin/env bash
# The long-form fault suite: the stack in its deployed shape (every process its own, as bench/deployed.sh), journeys
# streamed in by the simulator (FlexyPe's retries compressed, manual duplicates), and in turn Ingest, Workflows,
# Notifier, Postgres, Redis and the SMTP server killed with -9 and started again; then the duplicate window injected.
# First with one process of each service, then with two. Writes bench/results/chaos-latest.json (see bench/README.md).
#   bash bench/chaos.sh                     (takes about 25 minutes; binds 127.0.0.1 only)
# It builds, then takes /tmp/flexype-stack.lock itself: do not wrap it in `flock /tmp/flexype-stack.lock`, whose lock
# the inner flock (a second open of the file) would wait on for ever.
#   CHAOS_REPLICAS=1 bash bench/chaos.sh    (one process of each service only)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-packages.sh postgresql redis-server
dotnet build FlexyPe.Recovery.sln -c Release -v quiet -nologo
dir=$(mktemp -d /tmp/flexype-chaos-XXXXXX)
chmod 755 "$dir"
# The machine is shared: whatever starts a stack waits for the others.
flock /tmp/flexype-stack.lock dotnet bench/Chaos/bin/Release/net10.0/flexype-chaos.dll run \
  --replicas "${CHAOS_REPLICAS:-1,2}" --dir "$dir" --out bench/results/chaos-latest.json \
  --stream-seconds "${CHAOS_STREAM_SECONDS:-30}" --rate "${CHAOS_RATE:-3}" \
  --kill-after "${CHAOS_KILL_AFTER:-8}" --down-for "${CHAOS_DOWN_FOR:-6}" | tee bench/results/chaos-latest.log.tmp
status=${PIPESTATUS[0]}
[ -f bench/results/chaos-latest.json ] && python3 bench/chaos_table.py bench/results/chaos-latest.json bench/README.md
rm -f bench/results/chaos-latest.log.tmp
echo "logs of every process: $dir/replicas-*/logs"
exit "$status"
