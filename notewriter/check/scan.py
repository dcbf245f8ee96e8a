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


# Case-insensitive matching is slow in Python's engine (every letter of every alternative is folded at every
# position tried). A pattern that ignores case and only spells ASCII letters can instead be matched with case
# respected on a lowered copy of the text, if lowering keeps every position and folds exactly the characters
# that `re.IGNORECASE` equates with an ASCII letter onto that letter. `str.lower` does, but for the three
# characters handled below (it lengthens "İ" to "i̇" and keeps "ı" and "ſ", which match "i" and "s" when case
# is ignored); tests/test_check_scale.py checks this over every code point.
_FOLD_FIRST = (("\u0130", "i"), ("\u0131", "i"), ("\u017f", "s"))


def _ascii_folded(text: str) -> str | None:
    """`text` lowered for matching patterns whose letters are ASCII, or None if lowering moved a position."""
    for ch, ascii_letter in _FOLD_FIRST:
        if ch in text:
            text = text.replace(ch, ascii_letter)
    low = text.lower()
    return low if len(low) == len(text) else None


_GROUP_NAME = re.compile(r"\(\?P<\w+>")
_FLAGS = re.compile(r"\(\?[a-zA-Z-]+[:)]")


def _lowered_source(source: str) -> str:
    """A pattern's source with its literal letters lowered (escapes and group names kept), for matching case
    respected against `_ascii_folded` text what `source` matches with case ignored."""
    if _FLAGS.search(source):
        raise ValueError(f"inline flags cannot be lowered: {source!r}")
    out, i = [], 0
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            out.append(source[i:i + 2])
            i += 2
            continue
        m = _GROUP_NAME.match(source, i)
        if m:
            out.append(m.group(0))
            i = m.end()
            continue
        if not ch.isascii() and ch.lower() != ch.upper():
            raise ValueError(f"only ASCII letters can be lowered: {source!r}")
        out.append(ch.lower())
        i += 1
    return "".join(out)
