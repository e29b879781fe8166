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

check() {
    swift package --disable-sandbox benchmark thresholds check \
        --target "$targets" --filter 'gate-.*' --no-progress --path "$PWD/Thresholds"
}
check
status=$?
if [ "$status" -ge 128 ]; then
    # Killed by a signal. Seen 2026-12-07: SwiftPM itself (swift-package, in
    # libdispatch) crashed with SIGSEGV while building the benchmark plugin's
    # tools, and the same check passed when run again. One more try; a crash of
    # our own code would crash again and fail below.
    echo "allocation gate: the check was killed by signal $((status - 128)); running it once more"
    check
    status=$?
fi
case $status in
    0) echo "allocation gate: passed (every figure equals its threshold)" ;;
    4) echo "allocation gate: passed (fewer allocations than the thresholds; UPDATE=1 records them)" ;;
    *) echo "allocation gate: FAILED (status $status): allocations above Benchmarks/Thresholds/ (the table above), or the benchmarks did not build or run"
       exit 1 ;;
esac
