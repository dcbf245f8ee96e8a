"""Sentences: the one splitter the checker and the sentiment scorer share."""

from __future__ import annotations

import re

# words that end with a full stop without ending a sentence
ABBREVIATIONS = frozenset({
    "u.s", "u.k", "inc", "corp", "co", "ltd", "mr", "mrs", "ms", "dr", "vs", "e.g", "i.e", "st", "jr", "sr", "no",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "est", "bn",
    "mn", "mln", "bln", "etc", "plc", "n.v", "s.a", "ag", "u.s.a", "a.m", "p.m", "cf"})

# a break: terminal punctuation (and any closing quote or bracket) then space before a sentence start, or newlines
_BREAK = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[$A-Z0-9@#])|\n+")


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence, whitespace trimmed; a full stop after an abbreviation or a single
    letter ("J. Smith") does not end a sentence; a line break always does."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in _BREAK.finditer(text):
        if "\n" not in m.group(0):
            head = text[start:m.start()].rstrip("\"')]")
            words = head.split()
            last = words[-1] if words else ""
            word = last.rstrip(".!?").lower()
            if last.endswith(".") and (word in ABBREVIATIONS or (len(word) == 1 and word.isalpha())):
                continue
        a, b = _strip(text, start, m.start())
        if b > a:
            out.append((a, b))
        start = m.end()
    a, b = _strip(text, start, len(text))
    if b > a:
        out.append((a, b))
    return out


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, whitespace trimmed."""
    return [text[a:b] for a, b in sentence_spans(text)]
