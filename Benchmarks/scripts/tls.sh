#!/usr/bin/env bash
# TLS vs plaintext RPC echo throughput, side by side: example-proto-demo (server
# and load generator in one process on 127.0.0.1), alternating plaintext and TLS
# (a self-signed P-256 certificate made at start-up; the client verifies it),
# unary and streaming. Prints each run's summary line.
#
#   bash Benchmarks/scripts/tls.sh                 # 3 rounds of 5 s per cell
#   ROUNDS=1 RUN_SECONDS=3 bash Benchmarks/scripts/tls.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS=${ROUNDS:-3}
RUN_SECONDS=${RUN_SECONDS:-5}
STREAM_MESSAGE=$(printf 'x%.0s' $(seq 1 100))  # 100 responses per call

# Only the demo: a plain build also compiles every dependency's tools (protoc among them).
# The hot path is specialized in the example's own modules, which an incremental
# build does not recompile when only a library's inlinable code changed.
touch example-proto/Sources/*/*.swift
swift build -c release --package-path example-proto --product example-proto-demo
DEMO=example-proto/.build/release/example-proto-demo

for round in $(seq 1 "$ROUNDS"); do
    for transport in plaintext tls; do
        flags=()
        if [ "$transport" = tls ]; then flags=(--tls); fi
        echo "== round $round $transport unary"
        "$DEMO" "${flags[@]}" --unary --connections 4 --concurrency 256 --seconds "$RUN_SECONDS" | tail -1
        echo "== round $round $transport streaming"
        "$DEMO" "${flags[@]}" --streaming --connections 1 --concurrency 64 --message "$STREAM_MESSAGE" --seconds "$RUN_SECONDS" | tail -1
    done
done
