#!/usr/bin/env bash
# Benchmark part 5: the recovery-uplift model (FlexyPe.Workflows/Uplift) on a planted store, through the service's own
# code: holdout, randomized discount arms, features from normalized events, training (two FastTree learners), storing
# as bytes and loading back, and the per-shopper decision, against always and never giving the discount, on fresh
# shoppers. Writes bench/results/ai-decisions.json. One process, no network, bounded by timeout. CPU heavy: run it
# alone (on shared machines: flock /tmp/flexype-stack.lock bash bench/ai.sh).
#   AI_HISTORY=360000 AI_EVALUATION=30000 AI_SEED=2026 bash bench/ai.sh
set -euo pipefail
cd "$(dirname "$0")/.."
AI_HISTORY=${AI_HISTORY:-360000}
AI_EVALUATION=${AI_EVALUATION:-30000}
AI_SEED=${AI_SEED:-2026}
mkdir -p bench/results
dotnet build bench/ai -c Release -v quiet -nologo >/dev/null
timeout 900 dotnet bench/ai/bin/Release/net10.0/AiDecisions.dll --history "$AI_HISTORY" --evaluation "$AI_EVALUATION" \
  --seed "$AI_SEED" --loadavg "$(cut -d' ' -f1-3 /proc/loadavg)" --out bench/results/ai-decisions.json
