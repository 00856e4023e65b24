#!/usr/bin/env python3
"""Fails when an error code the engine can produce is missing from docs/trace-format.md.

The codes are the string literals handed to the calls that fail a request or record an error
(fail…, abort…, recordError, setConnectionError, markExchangeFailed, the Error{} and Violation{}
values the HTTP/2 and WebSocket code return, `m_errorCode = "…"` and the constants of
redirectpolicy.h), in engine/ and in the front ends' worker (ui/engine: `aborted`). A code is
documented when the docs hold it in backticks; "h2-rst:" (a prefix the engine completes) by a
backticked token starting with it, and every `limit:NAME` by the generic `limit:<limitName>`.
HTTP/1.1 leniency notes (`violation(…)`) are warnings, not error codes, and are not checked.

Usage: check-error-codes.py SOURCE_DIR. Run by CTest (test "trace-format-error-codes").
"""

import pathlib
import re
import sys

CALL = re.compile(r"\b(?:fail\w*|abort\w*|recordError|setConnectionError|markExchangeFailed)\s*\(|"
                  r"\b(?:Violation|Error)\s*\{|\breturn\s*\{|m_errorCode\s*=|"
                  r"constexpr\s+char\s+\w+\[\]\s*=")
LITERAL = re.compile(r'"([a-z][a-z0-9]*(?:-[a-z0-9]+)*(?::(?:[a-z0-9]+(?:-[a-z0-9]+)*)?)?|limit:[A-Za-z]+)"')
SOURCES = ("engine/**/*.cpp", "engine/**/*.h", "ui/engine/*.cpp")
# Trace and HAR writers: field names and values that the pattern above also matches.
SKIP_DIRS = ("engine/har/", "engine/trace/")


def engine_codes(root):
    codes = {}
    for pattern in SOURCES:
        for path in sorted(root.glob(pattern)):
            rel = str(path.relative_to(root))
            if rel.startswith(SKIP_DIRS):
                continue
            text = path.read_text(encoding="utf-8")
            for m in LITERAL.finditer(text):
                # The statement so far: from the previous ';' or '{' line start, at most 300
                # characters back, must open one of the calls above.
                before = text[max(0, m.start() - 300):m.start()]
                cut = max(before.rfind(";"), before.rfind("}\n"))
                statement = before[cut + 1:]
                calls = list(CALL.finditer(statement))
                # The code is the call's first string: a literal after another (its message's
                # words) is not one.
                if calls and '"' not in statement[calls[-1].end():] and \
                        "violation(" not in statement:
                    line = text.count("\n", 0, m.start()) + 1
                    codes.setdefault(m.group(1), f"{rel}:{line}")
    return codes


def documented(root):
    text = (root / "docs" / "trace-format.md").read_text(encoding="utf-8")
    return set(re.findall(r"`([^`\s]+)`", text))


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    codes = engine_codes(root)
    docs = documented(root)
    if len(codes) < 20:
        sys.exit(f"error-codes: found only {len(codes)} codes in the sources: the scan broke")
    missing = []
    for code, where in sorted(codes.items()):
        if code in docs:
            continue
        if code.startswith("limit:") and "limit:<limitName>" in docs:
            continue
        if code.endswith(":") and any(d.startswith(code) for d in docs):
            continue
        missing.append(f"  {code} ({where})")
    if missing:
        sys.exit("error-codes: not in docs/trace-format.md's list of codes:\n" + "\n".join(missing))
    print(f"error-codes: all {len(codes)} codes the engine produces are documented")


if __name__ == "__main__":
    main()
