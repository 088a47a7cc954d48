#!/usr/bin/env bash
# Console page timings with 10,000 enrollments and 100,000 messages (bench/console/README.md). It starts the whole
# stack itself; run it under the shared lock:
#   flock /tmp/flexype-stack.lock bash bench/console/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
# The bench references the AppHost, which builds the services and the console with it.
dotnet build bench/console/ConsoleBench.csproj -c Debug -v q -nologo
dotnet bench/console/bin/Debug/net10.0/ConsoleBench.dll bench/results/console.json
python3 bench/console/table.py bench/results/console.json bench/README.md
