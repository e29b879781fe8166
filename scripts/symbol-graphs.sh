#!/usr/bin/env bash
# Extracts the public symbol graphs of MODULES from the compiled modules of an
# existing debug build (the test package's, in CI), instead of compiling every
# module again with -emit-symbol-graph.
#
#   bash scripts/symbol-graphs.sh BUILD_DIR OUTPUT_DIR MODULE...
set -euo pipefail
build=$(cd "$1" && pwd -P)
output=$2
shift 2
checkouts="$build/../../checkouts"

# What swift-symbolgraph-extract needs to load a module is what its compile
# needed: the compiled Swift modules, and the module maps and headers of the C
# targets among its dependencies (local ones in the build, packages' in their
# checkouts). The "-tool" copies are the plugins' host builds; they would
# define each module twice.
args=(-I "$build/Modules")
while IFS= read -r map; do
    args+=(-Xcc "-fmodule-map-file=$map")
done < <(find "$build" -maxdepth 2 -name module.modulemap ! -path '*-tool.build/*')
while IFS= read -r include; do
    args+=(-Xcc -I -Xcc "$include")
done < <(find "$checkouts" -path '*/Sources/*/include' -type d 2>/dev/null)

mkdir -p "$output"
for module in "$@"; do
    swift symbolgraph-extract -module-name "$module" -target "$(uname -m)-unknown-linux-gnu" \
        -minimum-access-level public -output-dir "$output" "${args[@]}"
done
