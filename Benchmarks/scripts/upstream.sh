#!/usr/bin/env bash
# Side by side with the upstream Rust protosocket v2.0.2 example server
# (../shared/reference/, see its README): the same clients against our
# example-proto-server and against upstream's, alternating, ROUNDS rounds. For
# each run it reads the server's CPU time (utime + stime from /proc/PID/stat)
# before and after, and prints the server CPU per message and the throughput,
# with ours / upstream ratios (medians over the rounds).
#
#   bash Benchmarks/scripts/upstream.sh                 # about 5 minutes
#   ROUNDS=1 RUN_SECONDS=3 bash Benchmarks/scripts/upstream.sh
#   WORKLOADS="streaming unary" bash Benchmarks/scripts/upstream.sh
#   PIN=1 bash Benchmarks/scripts/upstream.sh           # servers on CPU 0, clients on CPU 1
#
# Unpinned, client and server threads share both cores and the scheduler moves
# them: server CPU per call swings by about a fifth from round to round. PIN=1
# (taskset) gives each side a core of its own; rounds then agree within a few
# percent (Benchmarks/README.md, 2026-12-07, sixth session).
#
# Not part of CI: the reference binaries are for measurement only.
set -euo pipefail
cd "$(dirname "$0")/../.."

REF=${REF:-../shared/reference}
if [ ! -x "$REF/upstream-example-proto-server" ]; then
    echo "upstream.sh: no reference binaries in $REF; skipping (see ../shared/reference/README.md)"
    exit 0
fi
ROUNDS=${ROUNDS:-3}
RUN_SECONDS=${RUN_SECONDS:-6}
WORKLOADS=${WORKLOADS:-streaming unary unary-upstream-client olg-10000 olg-20000 olg-50000}
SERVER_CPU=()
CLIENT_CPU=()
DEFAULT_OUT=Benchmarks/results/upstream
if [ "${PIN:-0}" = 1 ]; then
    SERVER_CPU=(taskset -c 0)
    CLIENT_CPU=(taskset -c 1)
    DEFAULT_OUT=Benchmarks/results/upstream-pinned
fi
# OUT: where the runs and the olg lines go.
OUT=${OUT:-$DEFAULT_OUT}
mkdir -p "$OUT"

# Only the two executables: a plain build also compiles every dependency's tools (protoc among them).
# The hot path is specialized in the example's own modules, which an incremental
# build does not recompile when only a library's inlinable code changed.
touch example-proto/Sources/*/*.swift
for product in example-proto-server example-proto-client; do
    swift build -c release --package-path example-proto --product "$product"
done
BIN=example-proto/.build/release
gcc -O2 -o "$OUT/olg" "$REF/olg.c"
LONG=$(printf 'a%.0s' $(seq 1 1000))
TICKS=$(getconf CLK_TCK)

"${SERVER_CPU[@]}" "$BIN/example-proto-server" --host 127.0.0.1 --port 9100 > "$OUT/ours-server.log" 2>&1 &
OURS=$!
HOST=127.0.0.1:9101 RUST_LOG=warn "${SERVER_CPU[@]}" "$REF/upstream-example-proto-server" > "$OUT/upstream-server.log" 2>&1 &
UPSTREAM=$!
trap 'kill $OURS $UPSTREAM 2>/dev/null || true' EXIT
sleep 1

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# run SYSTEM WORKLOAD: prints "messages cpu_ticks"
run() {
    local system=$1 workload=$2 pid port
    if [ "$system" = ours ]; then pid=$OURS; port=9100; else pid=$UPSTREAM; port=9101; fi
    local before after messages
    before=$(cpu_ticks "$pid")
    case $workload in
    unary)
        messages=$("${CLIENT_CPU[@]}" "$BIN/example-proto-client" --endpoint "127.0.0.1:$port" --seconds "$RUN_SECONDS" \
            | awk -F'[ =]' '/^summary/ { print $3 }') ;;
    unary-upstream-client)
        # Its rate lines are per second; the sum over the run is the count.
        messages=$(ENDPOINT="127.0.0.1:$port" RUST_LOG=warn "${CLIENT_CPU[@]}" timeout "$RUN_SECONDS" "$REF/upstream-example-proto-client" 2>&1 \
            | grep -o 'rate: *[0-9.]*' | awk '{ s += $2 } END { printf "%d", s }') || true ;;
    streaming)
        messages=$("${CLIENT_CPU[@]}" "$BIN/example-proto-client" --endpoint "127.0.0.1:$port" --seconds "$RUN_SECONDS" \
            --streaming --connections 1 --concurrency 64 --message "$LONG" \
            | awk -F'[ =]' '/^summary/ { print $3 }') ;;
    olg-*)
        local rate=${workload#olg-} line
        line=$("${CLIENT_CPU[@]}" "$OUT/olg" 127.0.0.1 "$port" "$rate" "$RUN_SECONDS" 4)
        echo "$system $workload $line" >> "$OUT/olg.txt"
        messages=$(echo "$line" | awk '{ print $6 }') ;;
    esac
    after=$(cpu_ticks "$pid")
    echo "$messages $((after - before))"
}

: > "$OUT/runs.txt"
: > "$OUT/olg.txt"
for round in $(seq 1 "$ROUNDS"); do
    # Which server goes first alternates by round, so that any effect of running
    # first or second falls on both alike (two early sets of open-loop runs, one
    # in each order, disagreed: Benchmarks/README.md, seventh session).
    order="ours upstream"
    if [ $((round % 2)) -eq 0 ]; then order="upstream ours"; fi
    for workload in $WORKLOADS; do
        for system in $order; do
            read -r messages ticks < <(run "$system" "$workload")
            echo "$round $workload $system $messages $ticks" | tee -a "$OUT/runs.txt"
        done
    done
done

python3 - "$OUT/runs.txt" "$OUT/olg.txt" "$RUN_SECONDS" "$TICKS" <<'PY'
import statistics, sys
runs, olg, seconds, ticks = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
data = {}
for line in open(runs):
    r, w, s, m, t = line.split()
    data.setdefault((w, s), []).append((int(m), int(t)))
print(f"\n| workload | server CPU per message, ours | upstream | ratio | throughput ours / upstream |")
print("|---|---:|---:|---:|---:|")
for w in dict.fromkeys(k[0] for k in data):
    o, u = data[(w, "ours")], data[(w, "upstream")]
    ns = lambda runs: statistics.median(t / ticks * 1e9 / max(m, 1) for m, t in runs)
    ratios = [ (to / ticks / max(mo, 1)) / (tu / ticks / max(mu, 1)) for (mo, to), (mu, tu) in zip(o, u) ]
    thr = [ mo / max(mu, 1) for (mo, _), (mu, _) in zip(o, u) ]
    print(f"| {w} | {ns(o):.0f} ns | {ns(u):.0f} ns | {statistics.median(ratios):.2f}x | {statistics.median(thr):.2f}x |")
if not any(True for _ in open(olg)):
    sys.exit(0)
print("\nopen loop (olg, 4 connections), median of the rounds:")
lat = {}
for line in open(olg):
    f = line.split()
    key = (f[1], f[0])
    vals = dict(zip(f[2::2], f[3::2]))
    lat.setdefault(key, []).append(vals)
print("| rate | system | p99 | p99.9 |")
print("|---|---|---:|---:|")
for (w, s), vs in sorted(lat.items()):
    med = lambda k: statistics.median(float(v[k].rstrip("us")) for v in vs)
    print(f"| {w[4:]}/s | {s} | {med('p99'):.0f} µs | {med('p99.9'):.0f} µs |")
PY
