#!/usr/bin/env bash
# Per message, on our example-proto-server and on upstream's (../shared/reference/):
# syscalls by kind, context switches and CPU migrations, counted by `perf stat`
# attached to the server process while our client runs a closed-loop workload.
# Alternating, ROUNDS rounds; prints medians per message.
#
#   bash Benchmarks/scripts/syscalls.sh                    # unary, about 1 minute
#   WORKLOAD=streaming bash Benchmarks/scripts/syscalls.sh
#
# Needs perf with the syscalls tracepoints (root). Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/../.."

REF=${REF:-../shared/reference}
if [ ! -x "$REF/upstream-example-proto-server" ]; then
    echo "syscalls.sh: no reference binaries in $REF; skipping (see ../shared/reference/README.md)"
    exit 0
fi
ROUNDS=${ROUNDS:-3}
RUN_SECONDS=${RUN_SECONDS:-5}
WORKLOAD=${WORKLOAD:-unary}
OUT=Benchmarks/results/syscalls
mkdir -p "$OUT"

# Only the two executables: a plain build also compiles every dependency's tools (protoc among them).
# The hot path is specialized in the example's own modules, which an incremental
# build does not recompile when only a library's inlinable code changed.
touch example-proto/Sources/*/*.swift
for product in example-proto-server example-proto-client; do
    swift build -c release --package-path example-proto --product "$product"
done
BIN=example-proto/.build/release
LONG=$(printf 'a%.0s' $(seq 1 1000))

"$BIN/example-proto-server" --host 127.0.0.1 --port 9200 > "$OUT/ours-server.log" 2>&1 &
OURS=$!
HOST=127.0.0.1:9201 RUST_LOG=warn "$REF/upstream-example-proto-server" > "$OUT/upstream-server.log" 2>&1 &
UPSTREAM=$!
trap 'kill $OURS $UPSTREAM 2>/dev/null || true' EXIT
sleep 1

EVENTS=context-switches,cpu-migrations
for call in read readv recvfrom recvmsg write writev sendto sendmsg epoll_wait epoll_pwait epoll_ctl futex; do
    EVENTS+=",syscalls:sys_enter_$call"
done

: > "$OUT/runs.txt"
for round in $(seq 1 "$ROUNDS"); do
    for system in ours upstream; do
        if [ "$system" = ours ]; then pid=$OURS; port=9200; else pid=$UPSTREAM; port=9201; fi
        perf stat -x, -e "$EVENTS" -p "$pid" -o "$OUT/perf-$system-$round.csv" &
        PERF=$!
        sleep 0.2
        if [ "$WORKLOAD" = streaming ]; then
            messages=$("$BIN/example-proto-client" --endpoint "127.0.0.1:$port" --seconds "$RUN_SECONDS" \
                --streaming --connections 1 --concurrency 64 --message "$LONG" | awk -F'[ =]' '/^summary/ { print $3 }')
        else
            messages=$("$BIN/example-proto-client" --endpoint "127.0.0.1:$port" --seconds "$RUN_SECONDS" \
                | awk -F'[ =]' '/^summary/ { print $3 }')
        fi
        kill -INT $PERF
        wait $PERF || true
        echo "$round $system $messages" | tee -a "$OUT/runs.txt"
    done
done

python3 - "$OUT" "$ROUNDS" <<'PY'
import statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
runs = {}
for line in open(f"{out}/runs.txt"):
    r, s, m = line.split()
    counts = {}
    for row in open(f"{out}/perf-{s}-{r}.csv"):
        f = row.strip().split(",")
        if len(f) > 2 and f[0].replace(".", "").isdigit():
            counts[f[2].replace("syscalls:sys_enter_", "")] = float(f[0])
    runs.setdefault(s, []).append((int(m), counts))
names = [n for n in dict.fromkeys(k for _, c in runs["ours"] + runs["upstream"] for k in c)
         if any(c.get(n, 0) for _, c in runs["ours"] + runs["upstream"])]
per = lambda s, n: statistics.median(c.get(n, 0) / max(m, 1) for m, c in runs[s])
print("\n| per message | ours | upstream |")
print("|---|---:|---:|")
total = lambda c: sum(v for k, v in c.items() if k not in ("context-switches", "cpu-migrations"))
for n in names:
    print(f"| {n} | {per('ours', n):.4f} | {per('upstream', n):.4f} |")
tot = lambda s: statistics.median(total(c) / max(m, 1) for m, c in runs[s])
print(f"| all syscalls counted | {tot('ours'):.4f} | {tot('upstream'):.4f} |")
print(f"| messages per run (median) | {statistics.median(m for m, _ in runs['ours']):.0f} | {statistics.median(m for m, _ in runs['upstream']):.0f} |")
PY
