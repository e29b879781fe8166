#!/usr/bin/env python3
"""Lists the public symbols of the given modules that have no documentation comment.

Reads the symbol graphs the compiler wrote (`-emit-symbol-graph`), including the
extension graphs (`Module@Other.symbols.json`). Compiler-synthesized members, and
default implementations in protocol extensions, take the documentation of the
requirement they implement. Exits 1 when a symbol is undocumented.

    python3 scripts/doc-coverage.py SYMBOL_GRAPH_DIR Module [Module ...]
"""
import glob
import json
import os
import sys


def undocumented(directory, module):
    paths = [os.path.join(directory, f"{module}.symbols.json")]
    paths += glob.glob(os.path.join(directory, f"{module}@*.symbols.json"))
    missing, total = [], 0
    for path in paths:
        if not os.path.exists(path):
            sys.exit(f"doc-coverage: no symbol graph {path}")
        with open(path) as f:
            graph = json.load(f)
        defaults = {
            r["source"] for r in graph["relationships"] if r["kind"] == "defaultImplementationOf"
        }
        for symbol in graph["symbols"]:
            if symbol.get("accessLevel") not in ("public", "open"):
                continue
            precise = symbol["identifier"]["precise"]
            synthesized = "::SYNTHESIZED::" in precise or "location" not in symbol
            if synthesized or precise in defaults:
                continue
            names = symbol["pathComponents"]
            if any(name.startswith("_") for name in names):
                continue
            total += 1
            if not symbol.get("docComment", {}).get("lines"):
                kind = symbol["kind"]["displayName"]
                missing.append(f"{module}: {kind} {'.'.join(names)}")
    return missing, total


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    directory, modules = sys.argv[1], sys.argv[2:]
    failed = False
    for module in modules:
        missing, total = undocumented(directory, module)
        print(f"doc-coverage: {module}: {total - len(missing)} of {total} public symbols documented")
        for line in sorted(missing):
            print(f"  undocumented: {line}")
        failed = failed or bool(missing)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
