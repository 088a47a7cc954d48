#!/usr/bin/env bash
# Restores the repository's dotnet tools (.config/dotnet-tools.json). On a machine whose tool cache is new, the first
# `dotnet tool restore` can credit one package's command to another ("The command "dotnet-counters" … is not contained
# in the package … The commands contained in the package are smtp4dev") and fail, though every package was downloaded;
# the same restore run again succeeds (dotnet/sdk#53783). So a failed restore is run once more before it counts.
#   bash scripts/restore-tools.sh          (from anywhere; restores for this repository)
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore || { echo "dotnet tool restore failed once (dotnet/sdk#53783); running it again" >&2; dotnet tool restore; }
