#!/usr/bin/env bash
# Builds the root package with warnings as errors (or, with FROM_BUILD, takes the
# symbol graphs of an existing build), then the DocC documentation of KLock,
# Spillway, Protosocket and ProtosocketRPC with DocC's warnings as errors.
# Also fails when a public symbol of those modules has no documentation comment
# (scripts/doc-coverage.py) or when an article's code is not the code that the
# tests and examples compile (scripts/doc-snippets.py). Archives go to
# .build/docs/<Module>.doccarchive.
#
#   bash scripts/docs.sh                                # builds the root package
#   FROM_BUILD=Tests/.build/debug bash scripts/docs.sh   # graphs of that build
set -euo pipefail
cd "$(dirname "$0")/.."

modules="KLock Spillway Protosocket ProtosocketRPC"
graphs="$PWD/.build/symbol-graphs"
# The graphs of modules that did not need rebuilding stay from the last build.
rm -rf .build/docs
mkdir -p "$graphs" .build/docs

if [ -n "${FROM_BUILD:-}" ]; then
    # The symbol graphs of the modules that build already compiled (CI passes
    # Tests/.build/debug after the tests): no second build of every dependency.
    # Its zero-warnings check is scripts/no-warnings.sh on that build's log.
    bash scripts/symbol-graphs.sh "$FROM_BUILD" "$graphs" $modules
else
    # One build: every library of the root package, zero warnings, and the
    # symbol graphs DocC reads.
    swift build -Xswiftc -warnings-as-errors \
        -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir -Xswiftc "$graphs"
fi

python3 scripts/doc-coverage.py "$graphs" $modules
python3 scripts/doc-snippets.py \
    Tests/Tests/ProtosocketRPCTests/WritingAServiceTests.swift \
    protosocket-rpc/Sources/ProtosocketRPC/ProtosocketRPC.docc/WritingAService.md \
    protosocket-server/Sources/LineEchoServer/main.swift \
    protosocket/Sources/Protosocket/Protosocket.docc/GettingStarted.md \
    spillway/Sources/SpillwayExample/main.swift \
    spillway/Sources/Spillway/Spillway.docc/GettingStarted.md \
    k-lock/Sources/KLockExample/main.swift \
    k-lock/Sources/KLock/KLock.docc/GettingStarted.md

for module in $modules; do
    catalog=$(find . -path ./.build -prune -o -type d -name "$module.docc" -print | grep "/Sources/$module/")
    moduleGraphs=".build/docs/$module-symbol-graphs"
    mkdir -p "$moduleGraphs"
    cp "$graphs/$module.symbols.json" "$moduleGraphs/"
    cp "$graphs/$module"@*.symbols.json "$moduleGraphs/" 2>/dev/null || true
    docc convert "$catalog" \
        --additional-symbol-graph-dir "$moduleGraphs" \
        --output-path ".build/docs/$module.doccarchive" \
        --fallback-display-name "$module" \
        --fallback-bundle-identifier "protosocket.$module" \
        --warnings-as-errors
    echo "docs: $module built ($catalog)"
done
