"""Scanning fast: trying a pattern only where a cheap candidate pattern finds a place it can start.

Python's regex engine skips quickly only to a literal or to a character set that starts a pattern; a
pattern that starts with a lookbehind, a word boundary or a lookahead is tried at every position of the
text. The checker's scans are therefore either rewritten so that they start with a character set (same
matches: each rewrite consumes the first character and dispatches on it with a lookbehind), or tried only
where a candidate pattern (matching wherever the full one could start) finds a start. Each rewrite sits
beside the pattern it rewrites; tests/test_check_scan.py holds their matches equal.
"""

from __future__ import annotations

import re


def _finditer(rx: re.Pattern, candidates: re.Pattern, text: str) -> list[re.Match]:
    """The matches of `rx.finditer(text)`, for a pattern that never matches empty, trying `rx` only where
    `candidates` matches (it must match at every position where `rx` can start a match)."""
    out = []
    search, match = candidates.search, rx.match
    pos = 0
    while True:
        c = search(text, pos)
        if c is None:
            return out
        p = c.start()
        m = match(text, p)
        if m is None:
            pos = p + 1
        else:
            out.append(m)
            pos = m.end()
