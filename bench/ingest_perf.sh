#!/usr/bin/env bash
# Where Ingest's CPU goes at saturation, native and kernel time included: `perf` samples Ingest's threads (call graphs,
# PERF_HZ a second) for PERF_SECONDS while wrk saturates it (wrk -t2 -c32, the payload mix, as ingest_ab.sh), on the
# stack as deployed with Workflows paused. dotnet-trace's sampled profile (intake_profile.sh) sees managed frames only;
# this one also sees the kernel (context switches, sockets, futexes) and the runtime, with managed frames named through
# the runtime's perf map (DOTNET_PerfMapEnabled; W^X off so the map's addresses are the ones perf sees). bench/perf_share.py
# sums the samples into shares. Writes bench/results/ingest-perf.json; stops what it started. Needs root or
# kernel.perf_event_paranoid <= 1, and a Release build of the services and the simulator.
#   PERF_SECONDS=10 PERF_HZ=999 bash bench/ingest_perf.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PERF_SECONDS=${PERF_SECONDS:-10} PERF_HZ=${PERF_HZ:-999}
command -v perf >/dev/null || bash scripts/ensure-packages.sh linux-perf
# shellcheck source=bench/deployed_up.sh
source bench/deployed_up.sh
deployed_secrets
export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0
deployed_wrk_payloads
run=$(mktemp -d /tmp/ingest-perf.XXXX); chmod 755 "$run"
deployed_sinks
deployed_up_paused "$run" "$run/deployed.log"
ingest=$(pgrep -f '^./FlexyPe.Ingest' | head -n 1)
deployed_saturate 5 "warm$RANDOM" >/dev/null
python3 bench/cpu_sample.py snap "$run/cpu.snap"
deployed_saturate $((PERF_SECONDS + 4)) "perf$RANDOM" >"$run/wrk.txt" &
wrk_pid=$!
sleep 2
perf record -F "$PERF_HZ" -g -p "$ingest" -o "$run/perf.data" -- sleep "$PERF_SECONDS" 2>/dev/null
wait "$wrk_pid"
python3 bench/cpu_sample.py diff "$run/cpu.snap" "$deployed_pid" >"$run/cpu.json"
perf script -i "$run/perf.data" 2>/dev/null >"$run/perf.txt"
python3 bench/perf_share.py "$run/perf.txt" "$run/wrk.txt" "$run/cpu.json" bench/results/ingest-perf.json
rm -f "/tmp/perf-$ingest.map"
