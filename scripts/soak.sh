#!/usr/bin/env bash
# The "nothing lost" soak at full length: many tasks making unary and streaming
# calls, a random 10% cancelled, for PROTOSOCKET_SOAK_SECONDS (60 here; the test
# suite and CI run it for 3).
#
#   bash scripts/soak.sh
#   PROTOSOCKET_SOAK_SECONDS=600 bash scripts/soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."

export PROTOSOCKET_SOAK_SECONDS=${PROTOSOCKET_SOAK_SECONDS:-60}
swift test --package-path Tests --filter SoakTests
