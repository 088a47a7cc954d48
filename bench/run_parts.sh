#!/usr/bin/env bash
# Parts 2 to 5 of the benchmarks, run by bench/run.sh after part 1 (or alone: `bash bench/run_parts.sh`, which
# keeps part 1's figures): sending (bench/sending.sh), end to end (bench/e2e.sh), scheduling at scale (bench/scheduling.sh), the AI decisions (bench/ai.sh, its own
# results file bench/results/ai-decisions.json), then merges parts 2 to 4 into
# bench/results/latest.json and the table in bench/README.md (bench/merge_parts.py). A part that fails keeps its
# previous results file, and says so.
set -uo pipefail
cd "$(dirname "$0")/.."
printf '\n== %s  part 4: sending, pooled vs a connection per message\n' "$(date -u +%H:%M:%S)"
bash bench/sending.sh || echo "part 4 (sending) failed; bench/results/sending.json is from an earlier run if present" >&2
printf '\n== %s  part 2: end to end, webhook to email\n' "$(date -u +%H:%M:%S)"
bash bench/e2e.sh || echo "part 2 (end to end) failed; bench/results/e2e.json is from an earlier run if present" >&2
printf '\n== %s  part 3: scheduling at scale\n' "$(date -u +%H:%M:%S)"
bash bench/scheduling.sh || echo "part 3 (scheduling) failed; bench/results/scheduling.json is from an earlier run if present" >&2
if [ -z "${SCHED_MILLION_SKIP:-}" ]; then
  printf '\n== %s  part 3, the million: the same rate with 1,000,000 enrollments in the tables (about 15 min)\n' "$(date -u +%H:%M:%S)"
  SCHED_ENROLLMENTS=1000000 SCHED_SWEEP_RATES= SCHED_OUT=bench/results/scheduling-million.json bash bench/scheduling.sh \
    || echo "part 3's million failed; bench/results/scheduling-million.json is from an earlier run if present" >&2
fi
printf '\n== %s  part 5: AI decisions (uplift model on a planted store)\n' "$(date -u +%H:%M:%S)"
bash bench/ai.sh || echo "part 5 (AI decisions) failed; bench/results/ai-decisions.json is from an earlier run if present" >&2
python3 bench/merge_parts.py
