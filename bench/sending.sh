#!/usr/bin/env bash
# Benchmark part 4: messages per second through Notifier's SMTP connection pool to a local SMTP sink, connections
# reused (Notifier:Smtp:ReuseConnections=true) vs a new connection per message (false), same run, same message count
# (bench/Sending), in two setups: plain loopback (no TLS, no AUTH) and STARTTLS + AUTH with a self-signed certificate
# trusted by thumbprint, as a provider is used. Writes bench/results/sending.json. 127.0.0.1 only; one process,
# bounded by timeout.
#   SENDING_COUNT=5000 bash bench/sending.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SENDING_COUNT=${SENDING_COUNT:-5000}
mkdir -p bench/results
dotnet build bench/Sending -c Release -v quiet -nologo >/dev/null
cat /proc/loadavg >bench/results/sending.loadavg.tmp
timeout 600 dotnet bench/Sending/bin/Release/net10.0/Sending.dll --count "$SENDING_COUNT" --warmup 300 --workers 4 \
  --out bench/results/sending.json
python3 - <<'PY'
import json
p = "bench/results/sending.json"
d = json.load(open(p))
d["loadavg_before"] = open("bench/results/sending.loadavg.tmp").read().split()[:3]
json.dump(d, open(p, "w"), indent=2)
PY
