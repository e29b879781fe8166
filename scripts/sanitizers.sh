#!/usr/bin/env bash
# Runs the whole test package under ThreadSanitizer, then AddressSanitizer, each
# in a build directory of its own (the first build of each takes several minutes).
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

for sanitizer in ${SANITIZERS:-thread address}; do
    echo "== swift test --sanitize=$sanitizer"
    swift test --package-path Tests --sanitize="$sanitizer" --scratch-path "Tests/.build-$sanitizer" "$@"
done
