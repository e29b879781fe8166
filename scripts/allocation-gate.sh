#!/usr/bin/env bash
# The allocation gate: runs the `gate-` benchmarks of Benchmarks/ (raw connection
# echo, unary RPC) for a few iterations, counting mallocs only, and compares each
# p90 with the committed threshold in Benchmarks/Thresholds/ plus the tolerance the
# benchmark declares. Fails when a change adds allocations per message.
#
#   bash scripts/allocation-gate.sh            # check (CI)
#   UPDATE=1 bash scripts/allocation-gate.sh   # record new thresholds (commit them)
set -uo pipefail
cd "$(dirname "$0")/../Benchmarks"

targets='ConnectionBenchmarks|RPCBenchmarks'
if [ "${UPDATE:-0}" = 1 ]; then
    swift package --disable-sandbox --allow-writing-to-package-directory benchmark \
        thresholds update --target "$targets" --filter 'gate-.*' --no-progress --path "$PWD/Thresholds"
    exit $?
fi

swift package --disable-sandbox benchmark thresholds check \
    --target "$targets" --filter 'gate-.*' --no-progress --path "$PWD/Thresholds"
status=$?
case $status in
    0) echo "allocation gate: passed (every figure equals its threshold)" ;;
    4) echo "allocation gate: passed (fewer allocations than the thresholds; UPDATE=1 records them)" ;;
    *) echo "allocation gate: FAILED (status $status): allocations above Benchmarks/Thresholds/ (the table above), or the benchmarks did not build or run"
       exit 1 ;;
esac
