#!/usr/bin/env bash
# Fails when a build log shows a warning about this repository's code: a
# compiler warning in a file outside a build directory, or a SwiftPM warning
# naming one of this repository's packages. Dependencies are compiled with
# warnings suppressed; SwiftPM's notes about their manifests are theirs.
# The zero-warnings check of the builds CI makes anyway, instead of a second,
# -warnings-as-errors build of everything.
#
#   bash scripts/no-warnings.sh LOG
set -euo pipefail
log=$1
root=$(cd "$(dirname "$0")/.." && pwd -P)

ours=$(grep -h 'name: "' "$root"/Package.swift "$root"/*/Package.swift \
    | sed -n 's/^ *name: "\([^"]*\)",*$/\1/p' | sort -u | paste -sd'|' -)
found=$(grep -E "^$root/([^.][^/]*/)*[^/]+:[0-9]+:[0-9]+: warning:|^warning: '($ours)'" "$log" \
    | grep -v '/\.build' | sort -u || true)
if [ -n "$found" ]; then
    echo "no-warnings: FAILED, warnings about this repository's code in $log:"
    echo "$found"
    exit 1
fi
echo "no-warnings: no warning about this repository's code in $log"
