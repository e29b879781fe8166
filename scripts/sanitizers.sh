#!/usr/bin/env bash
# Runs the whole test package under ThreadSanitizer, then AddressSanitizer, each
# in a build directory of its own (the first build of each takes several minutes).
# ThreadSanitizer reports are sorted by scripts/tsan-triage.py: the known
# continuation hand-off report (issue 17, RELIABILITY.md) is counted, any other
# fails the run.
#
#   bash scripts/sanitizers.sh                  # thread, then address
#   SANITIZERS=address bash scripts/sanitizers.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# Sanitizers slow TLS and socket I/O about tenfold here: stretch the tests'
# connect and handshake timeouts and hang guards to match.
export PROTOSOCKET_TEST_TIME_SCALE=${PROTOSOCKET_TEST_TIME_SCALE:-10}
# LeakSanitizer is off by default: at exit it reports XCTest's and Foundation's own
# allocations and the embedded test channels that tests never close (a NIO
# pipeline is a reference cycle until its channel closes). Turn it on with
# ASAN_OPTIONS=detect_leaks=1; see RELIABILITY.md for what it found.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

status=0
for sanitizer in ${SANITIZERS:-thread address}; do
    echo "== swift test --sanitize=$sanitizer"
    log="Tests/.build-$sanitizer/test.log"
    mkdir -p "Tests/.build-$sanitizer"
    set +e
    swift test --package-path Tests --no-parallel --sanitize="$sanitizer" --scratch-path "Tests/.build-$sanitizer" "$@" 2>&1 | tee "$log"
    tests=${PIPESTATUS[0]}
    set -e
    if [ "$sanitizer" = thread ]; then
        # ThreadSanitizer's reports make the run exit non-zero even when every test
        # passed: sort them, and fail on a failed test or an unexplained report.
        python3 scripts/tsan-triage.py "$log" || status=1
        if ! grep -q "Test run with" "$log"; then
            # No test ran (the build failed): no report is no evidence.
            echo "the tests did not run under ThreadSanitizer"
            status=1
        fi
        if grep -qE "recorded an issue|error: .*XCT" "$log"; then
            echo "a test failed under ThreadSanitizer"
            status=1
        fi
    elif [ "$tests" -ne 0 ]; then
        status=1
    fi
done
exit $status
