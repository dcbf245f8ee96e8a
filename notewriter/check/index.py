"""The fact index: the facts, tickers and names of a facts document, and the patterns that find them."""

from __future__ import annotations

import bisect
import functools
import math
import re
from dataclasses import dataclass
from typing import Iterable

from ..render import md_escape


@dataclass(frozen=True)
class FactRef:
    path: str
    value: float | str
    kind: str
    ticker: str | None
    change: bool = False


def _walk_facts(doc: dict):
    """Facts, known tickers, vendor names and name -> ticker for the named entities in a facts document."""
    facts: list[FactRef] = []
    tickers: set[str] = set()
    names: list[str] = []
    named: dict[str, str] = {}

    def walk(node, path: str):
        if isinstance(node, dict):
            if "value" in node and "kind" in node and isinstance(node.get("kind"), str):
                # a ticker that is no text names no one (the fact is about any, like a configuration fact)
                owner = node.get("ticker") if isinstance(node.get("ticker"), str) else None
                facts.append(FactRef(path, node["value"], node["kind"], owner, bool(node.get("change"))))
                if owner:
                    tickers.add(owner)
                return
            ticker = node.get("ticker") if isinstance(node.get("ticker"), str) else None
            if ticker:
                tickers.add(ticker)
            for key in ("name", "category", "family", "data_label"):
                if isinstance(node.get(key), str) and node[key]:
                    names.append(node[key])
                    plain = re.sub(r"[*_`#|]", " ", node[key])  # as the markup stripper leaves it
                    if plain != node[key]:
                        names.append(plain)
                    printed = str(md_escape(node[key]))  # as a note's Markdown prints it
                    if printed != node[key]:
                        names.append(printed)
                        names.append(re.sub(r"[*_`#|]", " ", printed))
                        if key == "name" and ticker:
                            named.setdefault(printed.strip(), ticker)
            if ticker and isinstance(node.get("name"), str) and node["name"].strip():
                named.setdefault(node["name"].strip(), ticker)
            for k, v in node.items():
                walk(v, f"{path}.{k}" if path else k)
        elif isinstance(node, (list, tuple)):
            if len(node) == 2 and isinstance(node[0], str) and isinstance(node[1], dict):
                names.append(node[0])
                names.append(node[0].replace("_", " "))
                shown = str(md_escape(node[0].replace("_", " ")))
                if shown != node[0].replace("_", " "):
                    names.append(shown)
                    names.append(re.sub(r"[*_`#|]", " ", shown))
            for i, v in enumerate(node):
                walk(v, f"{path}[{i}]")

    walk({k: v for k, v in doc.items() if k != "sentiment"}, "")
    sent = doc.get("sentiment")
    if isinstance(sent, dict):
        own = doc.get("ticker") if isinstance(doc.get("ticker"), str) else None
        for key in ("score", "facts_score", "text_score"):
            if isinstance(sent.get(key), (int, float)):
                facts.append(FactRef(f"sentiment.{key}", float(sent[key]), "score", own))
        rows = sent.get("ticker_sentiment")
        for i, row in enumerate(rows if isinstance(rows, list) else ()):
            if not isinstance(row, dict):
                continue
            owner = row.get("ticker") if isinstance(row.get("ticker"), str) else None
            for key in ("score", "relevance"):
                if isinstance(row.get(key), (int, float)):
                    facts.append(FactRef(f"sentiment.ticker_sentiment[{i}].{key}", float(row[key]), "score", owner))
            if owner:
                tickers.add(owner)
    return facts, {t for t in tickers if t}, names, named


def collect_facts(doc: dict) -> tuple[list[FactRef], set[str], list[str]]:
    """Facts, known tickers and vendor names from a facts document (the `notewriter facts` JSON).

    Any object with `value` and `kind` is a fact; sentiment scores and relevances count as facts too.
    """
    facts, tickers, names, _ = _walk_facts(doc)
    return facts, tickers, names


class _FactIndex:
    """Numeric facts by kind, sorted by magnitude; date facts by ISO date, month-day and year."""

    def __init__(self, facts: list[FactRef]):
        self.by_kind: dict[str, tuple[list[float], list[FactRef]]] = {}
        rows: dict[str, list[tuple[float, int, FactRef]]] = {}
        self.dates: dict[str, list[FactRef]] = {}
        for i, f in enumerate(facts):
            if f.kind == "date" or isinstance(f.value, str):
                iso = str(f.value)[:10]
                if re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso):
                    for key in (iso, iso[5:], iso[:4], iso[:7]):
                        self.dates.setdefault(key, []).append(f)
                continue
            if isinstance(f.value, bool) or not isinstance(f.value, (int, float)) or not math.isfinite(f.value):
                continue
            rows.setdefault(f.kind, []).append((abs(float(f.value)), i, f))
        for kind, items in rows.items():
            items.sort(key=lambda r: (r[0], r[1]))
            self.by_kind[kind] = ([r[0] for r in items], [r[2] for r in items])

    def near(self, kinds: Iterable[str], lo: float, hi: float) -> list[FactRef]:
        """Facts of these kinds whose magnitude lies in [lo, hi], in kind order."""
        out = []
        for kind in kinds:
            if kind not in self.by_kind:
                continue
            keys, facts = self.by_kind[kind]
            a = bisect.bisect_left(keys, lo)
            b = bisect.bisect_right(keys, hi)
            out.extend(facts[a:b])
        return out


# Every character that matches an ASCII letter when case is ignored (Python's `re.IGNORECASE`).
_CASE_VARIANTS = {c: {c, c.upper()} for c in "abcdefghijklmnopqrstuvwxyz"}
_CASE_VARIANTS["i"] |= {"\u0130", "\u0131"}
_CASE_VARIANTS["k"] |= {"\u212a"}
_CASE_VARIANTS["s"] |= {"\u017f"}


def _alternation(items: Iterable[str]) -> str:
    return "|".join(re.escape(x) for x in sorted(set(items), key=lambda s: (-len(s), s)))


@functools.lru_cache(maxsize=4096)
def _names_pattern(maskable: tuple[str, ...]) -> re.Pattern:
    """`(?<![A-Za-z0-9])(?:name|...)(?![A-Za-z0-9])`, ignoring case, longest name first.

    For names that start with an ASCII character each alternative starts with one spelling of its first
    character (and the rest ignores case), so the scan skips to candidate characters quickly. Compiled
    once per set of names (a batch's notes share most of theirs)."""
    ordered = sorted(maskable, key=lambda s: (-len(s), s))
    if not all(n[0].isascii() for n in ordered):
        return re.compile(rf"(?<![A-Za-z0-9])(?:{_alternation(maskable)})(?![A-Za-z0-9])", re.I)
    alts = []
    for n in ordered:
        first, rest = n[0], n[1:]
        for v in sorted(_CASE_VARIANTS.get(first.lower(), {first})):
            alts.append(f"{re.escape(v)}(?i:(?<![A-Za-z0-9](?s:{re.escape(v)})){re.escape(rest)})")
    return re.compile(f"(?:{'|'.join(alts)})(?i:(?![A-Za-z0-9]))")


@functools.lru_cache(maxsize=4096)
def _tickers_pattern(tickers: tuple[str, ...]) -> re.Pattern:
    """`(?<![A-Za-z0-9$])(?:TICKER|...)(?![A-Za-z0-9])`, longest first, each alternative starting with its
    ticker (the lookbehind follows it), so the scan skips to the first letters of tickers."""
    alts = [f"{re.escape(t)}(?<![A-Za-z0-9$]{re.escape(t)})" for t in sorted(tickers, key=lambda s: (-len(s), s))]
    return re.compile(f"(?:{'|'.join(alts)})(?![A-Za-z0-9])")


# The characters outside ASCII that `re.IGNORECASE` matches to an ASCII letter, as that letter.
_TO_ASCII_LETTER = str.maketrans({c: k for k, vs in _CASE_VARIANTS.items() for c in vs if not c.isascii()})
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_ALNUM_DOLLAR = _ALNUM | {"$"}


def fold(text: str) -> str:
    """The text as `re.IGNORECASE` compares it with ASCII words: the four letters outside ASCII that match an
    ASCII letter become it, then lower case; one character for one, so positions stay the same."""
    return text.translate(_TO_ASCII_LETTER).lower()


def _present(candidates: Iterable[str], text: str, ignore_case: bool) -> tuple[str, ...]:
    """The candidates that could match somewhere in the text: a superset of what the full pattern finds,
    so a pattern of these alone finds exactly the same matches (every alternative that could win at a
    position is kept, in the same order). A name with a character outside ASCII is always kept."""
    if not ignore_case:
        return tuple(sorted(c for c in candidates if c in text))
    folded = fold(text)
    return tuple(sorted(c for c in candidates if not c.isascii() or c.lower() in folded))


def scan_words(text: str, words: tuple[str, ...], before: frozenset, after: frozenset) -> list[tuple[int, int]]:
    """The spans `re.finditer` gives for the alternation of `words` (longest first, then in order) where the
    character before a match is not in `before` and the one after it not in `after`: at each position the
    first word in that order that fits wins, and the scan goes on after it. Found with `str.find`, so no
    pattern is compiled for a note's own set of words. `text` is the text as compared (folded when case is
    ignored; the words then in lower case)."""
    best: dict[int, tuple[int, int]] = {}
    n = len(text)
    for order, word in enumerate(sorted(words, key=lambda w: (-len(w), w))):
        size = len(word)
        i = text.find(word)
        while i >= 0:
            end = i + size
            if (i == 0 or text[i - 1] not in before) and (end == n or text[end] not in after):
                if i not in best or order < best[i][0]:
                    best[i] = (order, end)
            i = text.find(word, i + 1)
    spans, pos = [], 0
    for start in sorted(best):
        if start >= pos:
            pos = best[start][1]
            spans.append((start, pos))
    return spans


class FactIndex:
    """What the checker reads from one facts document, built once and reused for every text checked
    against it (`check_note(text, FactIndex.from_doc(doc))`): the facts indexed by kind and value, the
    known tickers and names, and the patterns that find them in a text."""

    def __init__(self, facts: list[FactRef], tickers: set[str], names: list[str], named: dict[str, str],
                 ticker: object = None):
        self.facts = facts
        self.tickers = tickers
        self.names = names
        self.named = named
        self.ticker = ticker          # the document's own ticker, the default subject
        self.values = _FactIndex(facts)
        self.lowered = {n.lower(): t for n, t in named.items()}
        self.maskable = {n.strip() for n in names
                         if n and n.strip() and (re.search(r"\d", n) or n.strip() in named)}
        self.by_path = {f.path: f for f in facts}
        # what each fact measures (see meaning.py); empty when built from bare facts
        self.readings: dict = {}
        self.window_unit: str | None = None
        self.largest: dict[str, bool] = {}        # history path -> its flow is the largest of its sign
        self.ranks: dict[tuple[str, str], int] = {}   # ("inflows" | "outflows", ticker) -> leaderboard rank
        self.labels: dict[str, str] = {}     # fact path -> the name it is listed under (a sector)
        self.labels_rx: re.Pattern | None = None

    def names_in(self, text: str) -> list[tuple[int, int]]:
        """Where the document's maskable names stand in the text, as `_names_pattern(...).finditer` finds
        them (ignoring case; not inside a longer word). Names all in ASCII are found by `scan_words`; a text
        where a name with other characters may stand goes through the cached pattern."""
        present = _present(self.maskable, text, ignore_case=True) if self.maskable else ()
        if not present:
            return []
        if all(n.isascii() for n in present):
            # sorted as the pattern orders them: longest first, then by the name itself (not its lower case)
            lowered = {n.lower(): n for n in present}
            if len(lowered) == len(present):
                return scan_words(fold(text), tuple(lowered), _ALNUM, _ALNUM)
        return [m.span() for m in _names_pattern(present).finditer(text)]

    def tickers_in(self, text: str) -> list[tuple[int, int]]:
        """Where the document's tickers stand in the text (as written; not after a letter, digit or $, not
        before a letter or digit)."""
        present = _present(self.tickers, text, ignore_case=False) if self.tickers else ()
        if not present:
            return []
        if all(t.isascii() for t in present):
            return scan_words(text, present, _ALNUM_DOLLAR, _ALNUM)
        return [m.span() for m in _tickers_pattern(present).finditer(text)]

    @classmethod
    def from_doc(cls, doc: dict) -> FactIndex:
        from . import meaning

        facts, tickers, names, named = _walk_facts(doc)
        index = cls(facts, tickers, names, named, doc.get("ticker") if isinstance(doc.get("ticker"), str) else None)
        index.readings = meaning.readings(doc, [f.path for f in facts])
        index.window_unit = meaning.window_unit(doc)
        _walk_ranks(doc.get("facts"), "facts", index)
        if index.labels:
            from ..kinds.fund import _SECTOR_NAMES  # the names the templates print for sector keys

            spoken = {}
            for path, key in index.labels.items():
                spoken[path] = _SECTOR_NAMES.get(key, key.replace("_", " "))
                index.labels[path] = spoken[path].lower()
            index.labels_rx = re.compile(rf"(?<![\w-])(?:{_alternation(spoken.values())})(?![\w-])", re.I)
        return index


def _walk_ranks(node, path: str, index: FactIndex) -> None:
    """The largest-same-sign flags of every history and the leaderboard ranks of a facts document."""
    if isinstance(node, dict):
        if isinstance(node.get("largest_same_sign"), bool):
            index.largest[path] = node["largest_same_sign"]
        for side in ("inflows", "outflows"):
            for row in node.get(side) or () if isinstance(node.get(side), list) else ():
                rank = row.get("rank") if isinstance(row, dict) else None
                if isinstance(rank, dict) and isinstance(row.get("ticker"), str):
                    value = rank.get("value")
                    whole = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
                    index.ranks[(side, row["ticker"])] = int(value) if whole else 0
        for k, v in node.items():
            if isinstance(v, (dict, list)) and k not in ("inflows", "outflows"):
                _walk_ranks(v, f"{path}.{k}", index)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            if isinstance(v, list) and len(v) == 2 and isinstance(v[0], str) and isinstance(v[1], dict):
                index.labels[f"{path}[{i}][1]"] = v[0]
            _walk_ranks(v, f"{path}[{i}]", index)

