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


def _top_alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a regular expression."""
    out, cur, depth, i = [], [], 0, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            cur.append(pattern[i:i + 2])
            i += 2
            continue
        if ch == "[":
            j = pattern.index("]", i + 2)
            cur.append(pattern[i:j + 1])
            i = j + 1
            continue
        if ch == "|" and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            depth += (ch == "(") - (ch == ")")
            cur.append(ch)
        i += 1
    out.append("".join(cur))
    return out


try:  # the parser behind `re`, to read which characters a pattern can start with
    from re import _constants as _sre_constants
    from re import _parser as _sre_parser
except ImportError:  # Python 3.10
    import sre_constants as _sre_constants  # type: ignore[no-redef]
    import sre_parse as _sre_parser  # type: ignore[no-redef]

DIGIT = "0"  # the first-character key of every decimal digit (what \d matches)
_MAX_RANGE = 64


def _first_chars(source: str) -> frozenset[str] | None:
    """The characters a match of `source` (a pattern without flags) can start with, every decimal digit
    counted as DIGIT; None when that cannot be told (a set of word characters, a back reference, a
    pattern that can match the empty string), which leaves the pattern tried everywhere."""
    try:
        parsed = _sre_parser.parse(source)
    except re.error:
        return None
    found, can_be_empty = _first(list(parsed))
    return None if found is None or can_be_empty else frozenset(found)


def _key(code: int) -> str:
    ch = chr(code)
    return DIGIT if ch.isdecimal() else ch


def _first(items: list) -> tuple[set[str] | None, bool]:
    """(first characters of the sequence `items`, whether it can match empty); None for "cannot tell"."""
    c = _sre_constants
    out: set[str] = set()
    for op, av in items:
        if op is c.LITERAL:
            out.add(_key(av))
            return out, False
        if op is c.IN:
            for kind, arg in av:
                if kind is c.LITERAL:
                    out.add(_key(arg))
                elif kind is c.RANGE and arg[1] - arg[0] <= _MAX_RANGE:
                    out.update(_key(code) for code in range(arg[0], arg[1] + 1))
                elif kind is c.CATEGORY and arg is c.CATEGORY_DIGIT:
                    out.add(DIGIT)
                else:
                    return None, False
            return out, False
        if op is c.BRANCH:
            empty = False
            for alternative in av[1]:
                first, can_be_empty = _first(list(alternative))
                if first is None:
                    return None, False
                out |= first
                empty = empty or can_be_empty
            if not empty:
                return out, False
            continue
        if op is c.SUBPATTERN:
            if av[1] or av[2]:  # flags switched inside: cannot tell
                return None, False
            first, can_be_empty = _first(list(av[3]))
            if first is None:
                return None, False
            out |= first
            if not can_be_empty:
                return out, False
            continue
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT)):
            low, _, item = av
            first, can_be_empty = _first(list(item))
            if first is None:
                return None, False
            out |= first
            if low > 0 and not can_be_empty:
                return out, False
            continue
        if op in (c.ASSERT, c.ASSERT_NOT, c.AT):
            continue  # zero width: the next item starts the match
        return None, False
    return out, True
