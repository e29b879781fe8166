#!/usr/bin/env bash
# Runs each libFuzzer target of Fuzz/ for FUZZ_SECONDS (600 by default), starting
# from its committed seed corpus (Fuzz/Corpus/<target>). Builds with
# -sanitize=fuzzer,address. New inputs go to Fuzz/.work/<target> (not committed);
# a crashing input is written to Fuzz/.work/crash-<target>-*; the whole log goes
# to Fuzz/.work/<target>.log and its summary (start, end, final stats, any
# error) to Fuzz/results/<target>.log.
#
#   bash scripts/fuzz.sh
#   FUZZ_SECONDS=60 TARGETS=FuzzRPCServer bash scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZ_SECONDS=${FUZZ_SECONDS:-600}
TARGETS=${TARGETS:-"FuzzProtobufFraming FuzzConnectionDecode FuzzRPCServer"}

swift build --package-path Fuzz -c release --scratch-path Fuzz/.build-fuzz \
    -Xswiftc -sanitize=fuzzer,address
mkdir -p Fuzz/results
for target in $TARGETS; do
    mkdir -p "Fuzz/.work/$target"
    echo "== $target for $FUZZ_SECONDS s"
    "Fuzz/.build-fuzz/release/$target" "Fuzz/.work/$target" "Fuzz/Corpus/$target" \
        -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 -rss_limit_mb=4096 \
        -artifact_prefix="Fuzz/.work/crash-$target-" > "Fuzz/.work/$target.log" 2>&1 || true
    grep -E "^INFO:|INITED|DONE|stat::|ERROR|SUMMARY|^Done|crash-" "Fuzz/.work/$target.log" | tee "Fuzz/results/$target.log"
done
