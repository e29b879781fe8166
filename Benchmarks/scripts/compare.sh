#!/usr/bin/env bash
# Side-by-side echo comparison: protosocket (example-proto) and grpc-swift-2
# (Benchmarks/grpc-echo), same messages, same load generator and settings, run
# one after the other, alternating. Writes per-second CSVs and logs to
# Benchmarks/results/, then prints the table and renders the charts.
#
#   bash Benchmarks/scripts/compare.sh            # about 6 minutes of load
#   RUN_SECONDS=5 ROUNDS=1 bash Benchmarks/scripts/compare.sh
#
# The first gRPC release build takes about 20 minutes (BoringSSL).
set -euo pipefail
cd "$(dirname "$0")/../.."

RUN_SECONDS=${RUN_SECONDS:-10}     # each saturation run
STEP_SECONDS=${STEP_SECONDS:-3}    # each sweep step
ROUNDS=${ROUNDS:-2}                # alternating rounds of the saturation runs
START_RATE=${START_RATE:-500}     # first sweep step, requests/s
STREAM_MESSAGE=${STREAM_MESSAGE:-$(printf 'x%.0s' $(seq 1 100))}  # 100 responses per call
LONG_STREAM_MESSAGE=$(printf 'x%.0s' $(seq 1 1000))                # 1,000 responses per call
OUT=Benchmarks/results
mkdir -p "$OUT"

# Only the two executables: a plain build also compiles every dependency's tools (protoc among them).
# The hot path is specialized in the example's own modules, which an incremental
# build does not recompile when only a library's inlinable code changed.
touch example-proto/Sources/*/*.swift
for product in example-proto-server example-proto-client; do
    swift build -c release --package-path example-proto --product "$product"
done
swift build -c release --package-path Benchmarks/grpc-echo
PS_BIN=example-proto/.build/release
GR_BIN=Benchmarks/grpc-echo/.build/release

"$PS_BIN/example-proto-server" --port 9100 > "$OUT/protosocket-server.log" 2>&1 &
PS_SERVER=$!
"$GR_BIN/grpc-echo-server" --port 9101 > "$OUT/grpc-server.log" 2>&1 &
GR_SERVER=$!
trap 'kill $PS_SERVER $GR_SERVER 2>/dev/null || true' EXIT
sleep 1

client() { # system scenario flags...
    local system=$1 scenario=$2
    shift 2
    local bin endpoint
    if [ "$system" = protosocket ]; then
        bin="$PS_BIN/example-proto-client"; endpoint=127.0.0.1:9100
    else
        bin="$GR_BIN/grpc-echo-client"; endpoint=127.0.0.1:9101
    fi
    echo "== $system $scenario: $*"
    "$bin" --endpoint "$endpoint" --csv "$OUT/$system-$scenario.csv" "$@" | tee "$OUT/$system-$scenario.log" | tail -1
}

for round in $(seq 1 "$ROUNDS"); do
    for system in protosocket grpc; do
        client "$system" "unary-$round" --unary --connections 4 --concurrency 256 --seconds "$RUN_SECONDS"
    done
done
for system in protosocket grpc; do
    client "$system" stream --streaming --connections 1 --concurrency 64 --seconds "$RUN_SECONDS" --message "$STREAM_MESSAGE"
done
# Long streams: the per-call work (starting and ending a stream) is spread over
# ten times as many responses, so this measures the streaming path itself.
for system in protosocket grpc; do
    client "$system" long-stream --streaming --connections 1 --concurrency 64 --seconds "$RUN_SECONDS" --message "$LONG_STREAM_MESSAGE"
done
for system in protosocket grpc; do
    client "$system" sweep --unary --sweep --rate "$START_RATE" --connections 4 --concurrency 256 --seconds "$STEP_SECONDS"
done
# This machine's own wake-up tail puts p99.9 near 5 ms at any rate (see
# Benchmarks/README.md), so the sweep also runs with a 10 ms limit.
for system in protosocket grpc; do
    client "$system" sweep10 --unary --sweep --latency-limit 10 --rate "$START_RATE" --connections 4 --concurrency 256 --seconds "$STEP_SECONDS"
done

python3 Benchmarks/scripts/compare.py "$OUT" "$ROUNDS" "$START_RATE"
