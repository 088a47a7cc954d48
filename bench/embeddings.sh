#!/usr/bin/env bash
# Benchmark: the recommendations' embedding model (all-MiniLM-L6-v2, in process, CPU): resident memory after
# loading, load time, time per embedding (one text per call with 1 thread and with every core, batches of 32, and
# from the in-process cache), and one recommendation over 200 cached candidates. Writes bench/results/embeddings.json.
# No network. Takes the shared lock of this machine's benchmarks and stack tests.
#   bash bench/embeddings.sh
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/results
dotnet build bench/Embeddings -c Release -v quiet -nologo >/dev/null
flock /tmp/flexype-stack.lock bash -c '
  loadavg=$(cut -d" " -f1-3 /proc/loadavg)
  timeout 600 dotnet bench/Embeddings/bin/Release/net10.0/Embeddings.dll --texts 200 --out bench/results/embeddings.json >/dev/null
  python3 - "$loadavg" <<PY
import json, sys
p = "bench/results/embeddings.json"
d = json.load(open(p))
d["loadavg_before"] = sys.argv[1].split()
json.dump(d, open(p, "w"), indent=2)
PY
'
cat bench/results/embeddings.json
