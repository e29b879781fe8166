#!/usr/bin/env python3
"""Checks that an article's Swift code blocks are the code a test compiles and runs.

The test file marks each block's code with `// snippet: NAME` and `// end snippet`
lines; the article's ```swift blocks, in order, must equal those regions in order
(after removing the regions' common indentation).

    python3 scripts/doc-snippets.py TEST.swift ARTICLE.md [TEST.swift ARTICLE.md ...]
"""
import sys
import textwrap


def regions(path):
    found, current = [], None
    for line in open(path).read().split("\n"):
        stripped = line.strip()
        if stripped.startswith("// snippet:"):
            current = []
        elif stripped == "// end snippet":
            found.append(textwrap.dedent("\n".join(current)).strip("\n"))
            current = None
        elif current is not None:
            current.append(line)
    return found


def blocks(path):
    found, current = [], None
    for line in open(path).read().split("\n"):
        if current is None and line.strip() == "```swift":
            current = []
        elif current is not None and line.strip() == "```":
            found.append(textwrap.dedent("\n".join(current)).strip("\n"))
            current = None
        elif current is not None:
            current.append(line)
    return found


def main():
    pairs = sys.argv[1:]
    if not pairs or len(pairs) % 2:
        sys.exit(__doc__)
    failed = False
    for test, article in zip(pairs[0::2], pairs[1::2]):
        code, shown = regions(test), blocks(article)
        if len(code) != len(shown):
            print(f"doc-snippets: {article} has {len(shown)} swift blocks, {test} {len(code)} snippets")
            failed = True
            continue
        for index, (a, b) in enumerate(zip(code, shown)):
            if a != b:
                print(f"doc-snippets: block {index + 1} of {article} differs from snippet {index + 1} of {test}")
                failed = True
        if not failed:
            print(f"doc-snippets: {article}: {len(shown)} blocks, all compiled by {test}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
