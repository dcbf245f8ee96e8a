"""Which ticker a number is about and which direction word governs it.

The text is first masked (links, list numbers, names of indexes and instruments, fund and holding names,
tickers) so that only number claims are left to read; the ticker and name mentions found on the way say
whom each sentence and segment is about.
"""

from __future__ import annotations

import bisect
import re

from .index import FactIndex
from .numbers import _Token
from .scan import _finditer, _top_alternatives

# ---- masking -----------------------------------------------------------------------------------

_URL = re.compile(r"https?://\S+|\]\([^)]*\)|\[\d+\]")
_LIST_NUMBER = re.compile(r"^[ \t>]*\d{1,3}[.)](?=\s)", re.M)
# _LIST_NUMBER after a newline (a line start); the text's own start is tried apart.
_LIST_NUMBER_NL = re.compile(r"\n[ \t>]*\d{1,3}[.)](?=\s)")

# Names of indexes and instruments whose digits are not claims ("S&P 500", "10-year Treasury").
_INSTRUMENT_NAMES = re.compile(
    r"\bS&P\s+(?:MidCap\s+|SmallCap\s+|Composite\s+)?\d{3,4}\b|\bRussell\s+(?:Top\s+|Midcap\s+)?\d{3,4}\b|"
    r"\bNasdaq[- ]100\b|\bNASDAQ[- ]100\b|\bFTSE\s+\d{2,3}\b|\b(?:Euro\s+)?Stoxx\s+\d{2,3}\b|\bNikkei\s+225\b|"
    r"\bDAX\s+40\b|\bCAC\s+40\b|\bDow\s+30\b|\bKOSPI\s+200\b|\bMSCI\s+\w+\s+\d{2,3}\b|"
    r"\b\d{1,2}-year\s+(?:Treasur(?:y|ies)|notes?|bonds?|yields?|gilts?|bunds?)\b|"
    r"\b(?:Q[1-4]|[12]H|H[12]|FY|CY)\s?\d{2,4}\b|\b401\(k\)|\b24/7\b")
# Where an index or instrument name can start (for .scan._finditer).
_INSTRUMENT_STARTS = re.compile(
    r"[SRNFEDCKMQH\d](?<!\w.)(?:(?<=S)(?:&P|toxx)|(?<=R)ussell|(?<=N)(?:asdaq|ASDAQ|ikkei)|(?<=F)(?:TSE|Y)|"
    r"(?<=E)uro|(?<=D)(?:AX|ow)|(?<=C)(?:AC|Y)|(?<=K)OSPI|(?<=M)SCI|(?<=\d)(?:\d?-|H|01\(|4/)|(?<=Q)[1-4]|"
    r"(?<=H)[12])")


def _masked(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with every character inside one of the spans replaced by a space."""
    if not spans:
        return text
    spans.sort()
    parts = []
    pos = 0
    for a, b in spans:
        if b <= pos:
            continue
        if a > pos:
            parts.append(text[pos:a])
            pos = a
        parts.append(" " * (b - pos))
        pos = b
    parts.append(text[pos:])
    return "".join(parts)


def _prepare(text: str, index: FactIndex) -> tuple[str, list[tuple[int, int, str]]]:
    """Mask what is not a number claim; return the scan text and the ticker mentions (start, end, ticker)."""
    spans: list[tuple[int, int]] = []
    if "http" in text or "[" in text or "]" in text:
        spans.extend(m.span() for m in _URL.finditer(text))
    m = _LIST_NUMBER.match(text)
    if m:
        spans.append(m.span())
    if "\n" in text:
        spans.extend((m.start() + 1, m.end()) for m in _LIST_NUMBER_NL.finditer(text))
    spans.extend(m.span() for m in _finditer(_INSTRUMENT_NAMES, _INSTRUMENT_STARTS, text))
    mentions: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    maskable, lowered = index.maskable, index.lowered
    for a, b in index.names_in(text):
        found = text[a:b]
        if " " not in found and found not in maskable:
            continue  # a one-word name must match as written ("Target", not "target")
        key = found.lower()
        if key in lowered:
            mentions.append((a, b, lowered[key]))
        taken.append((a, b))
    spans.extend(taken)
    found_tickers = index.tickers_in(text)
    if found_tickers:
        # name matches come from one finditer: in order and not overlapping, so the one that could hold a
        # ticker is the last starting at or before it (a bisection, not a walk over every name: linear time)
        taken_starts = [a for a, _ in taken]
        for p, q in found_tickers:
            k = bisect.bisect_right(taken_starts, p) - 1
            if k >= 0 and p < taken[k][1]:
                continue
            mentions.append((p, q, text[p:q]))
            spans.append((p, q))
    mentions.sort()
    return _masked(text, spans), mentions


# ---- the ticker a number is about --------------------------------------------------------------

# Segment breaks for ticker attribution; the scan uses the rewrite that starts with a character set (.scan).
_SEGMENT_BREAK = re.compile(r"[,;:—]\s|\s–\s|\s(?:while|whereas|but|against|versus|vs\.?)\s")
_SEGMENT_BREAK_FAST = re.compile(
    r"[,;:—\s](?:(?<=[,;:—])\s|(?<=\s)(?:–\s|(?:while|whereas|but|against|versus|vs\.?)\s))")


class _SegmentBreaks:
    """The segment breaks of one sentence, for the comma/clause-delimited stretch around each number in it
    (parentheses do not break it)."""

    def __init__(self, sentence: str):
        self.length = len(sentence)
        spans = [(m.start(), m.end()) for m in _SEGMENT_BREAK_FAST.finditer(sentence)]
        self.starts = [a for a, _ in spans]
        self.ends = [b for _, b in spans]

    def bounds(self, offset: int, end: int) -> tuple[int, int]:
        # the last break ending at or before the number, the first starting at or after its end (breaks do
        # not overlap, so their ends rise with their starts)
        i = bisect.bisect_right(self.ends, offset)
        a = self.ends[i - 1] if i else 0
        j = bisect.bisect_left(self.starts, end)
        b = self.starts[j] if j < len(self.starts) else self.length
        return a, b


def _open_paren_before(sentence: str, a: int, b: int) -> bool:
    """True when the ticker at `a` opens a parenthetical that is still open at `b` (e.g. "(CIVI +1.5%)")."""
    left = sentence.rfind("(", 0, a + 1)
    return left != -1 and sentence.find(")", left, b) == -1 and sentence[left + 1:a].strip() == ""


def _subject(scan: str, s0: int, tok: _Token, mentions: list[tuple[int, int, str]], default: str | None,
             segments: _SegmentBreaks) -> str | None:
    """The ticker a number is about: `scan` is its sentence, starting at s0 in the text, `segments` that
    sentence's segment breaks."""
    if not mentions:
        return default
    rel = [(a - s0, b - s0, t) for a, b, t in mentions]
    start, end = tok.start - s0, tok.end - s0
    inside = [t for (a, b, t) in rel if a < start and _open_paren_before(scan, a, start)]
    if inside:
        return inside[-1]
    seg_a, seg_b = segments.bounds(start, end)
    seg_before = [t for (a, b, t) in rel if seg_a <= a and b <= start]
    if seg_before:
        return seg_before[-1]
    seg_after = [t for (a, b, t) in rel if end <= a and b <= seg_b]
    if seg_after:
        return seg_after[0]
    preceding = [t for (a, b, t) in rel if b <= start]
    if preceding:
        return preceding[-1]
    return rel[0][2] if rel else default


# ---- the direction word that governs it --------------------------------------------------------

# Direction words: what they say about the sign of the number they govern.
_NEG = (r"outflows?|redemptions?|redeem(?:ed|ing|s)?|fell|falls?|falling|declin(?:e|es|ed|ing)|"
        r"drops?|dropped|dropping|lost|loses?|losing|loss(?:es)?|down|sold|sell(?:s|ing)?|"
        r"destruction|shed(?:s|ding)?|slipped|slips?|slid|sliding|withdr[ae]w\w*|pulled|lower|"
        r"decreas(?:e|es|ed|ing)|shr[ai]nk(?:s|ing)?|shrunk|below|negative|bled|bleed(?:s|ing)?|"
        r"exited|left|leaving|plunged?|plunging|tumbled?|tumbling|sank|sinks?|sinking|slumped?|"
        r"retreat(?:ed|s)?|weak(?:er|ened)")
_POS = (r"inflows?|creations?|creat(?:ed|es|ing)|rose|rises?|rising|rise|gain(?:s|ed|ing)?|climb(?:s|ed|ing)?|"
        r"up|added|adds?|adding|took\s+in|taken\s+in|takes?\s+in|taking\s+in|pulled\s+in|attract(?:ed|s|ing)?|"
        r"drew\s+in|bought|buy(?:s|ing)?|rall(?:y|ied|ies|ying)|jump(?:s|ed|ing)?|higher|"
        r"increas(?:e|es|ed|ing)|grew|grow(?:s|ing)?|advanc(?:e|es|ed|ing)|above|positive|"
        r"surg(?:e|es|ed|ing)|soar(?:s|ed|ing)?|stronger|strengthened|added\s+to")
_POS_WORD = re.compile(rf"(?:{_POS})", re.I)
_NEG_WORD = re.compile(rf"(?:{_NEG})", re.I)
_PHRASE_HEADS = {"took", "taken", "takes", "take", "taking", "pulled", "drew", "added"}
_WORDS = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")  # the words of a text; _DIRECTION_CANDIDATES scans for them
_word_direction_cache: dict[str, int] = {}


def _word_direction(word: str) -> int:
    w = word.lower()
    d = _word_direction_cache.get(w)
    if d is None:
        d = 1 if _POS_WORD.fullmatch(w) else -1 if _NEG_WORD.fullmatch(w) else 0
        _word_direction_cache[w] = d
    return d


_NEGATED = re.compile(r"\b(?:no|not|never|without|nor)\s+(?:\w+\s+)?$", re.I)
_PHRASE_TAIL = re.compile(r"\s+(in|into)\b", re.I)


def _direction_candidates() -> re.Pattern:
    """The words `_WORDS` finds that are phrase heads or fully match a one-word direction word: whole words
    (no letter, or letter and hyphen, before; no letter, or hyphen and letter, after), any case, ASCII letters
    only. The pattern starts with the set of first letters, so the scan skips to them."""
    by_first: dict[str, list[str]] = {}
    for alt in sorted(_PHRASE_HEADS) + _top_alternatives(_POS) + _top_alternatives(_NEG):
        if "\\s" in alt:
            continue  # several words: never a single word
        assert alt[0].isalpha() and alt[0].islower(), alt
        by_first.setdefault(alt[0], []).append(alt[1:].replace("\\w", "[A-Za-z]"))
    letters = "".join(c + c.upper() for c in sorted(by_first))
    rests = "|".join(f"(?<={c})(?:{'|'.join(r)})" for c, r in sorted(by_first.items()))
    return re.compile(f"[{letters}](?<![A-Za-z].)(?<![A-Za-z]-.)(?i:{rests})(?![A-Za-z])(?!-[A-Za-z])", re.A)


_DIRECTION_CANDIDATES = _direction_candidates()

# Clause breaks for direction words; the scan uses the rewrite that starts with a character set (.scan).
_CLAUSE_BREAK = re.compile(
    r"[;:()—]|\s–\s|,\s+(?:while|but|whereas|and|compared)\b|\s(?:while|whereas|but|against|versus|vs\.?|"
    r"compared\s+(?:with|to)|lagging|trailing|behind|than)\s")
_CLAUSE_BREAK_FAST = re.compile(
    r"[;:()—,\s](?:(?<=[;:()—])|(?<=,)\s+(?:while|but|whereas|and|compared)\b|(?<=\s)(?:–\s|(?:while|whereas|"
    r"but|against|versus|vs\.?|compared\s+(?:with|to)|lagging|trailing|behind|than)\s))")


class _Directions:
    """Direction words and clause breaks of a whole text, for the nearest-word lookup per number."""

    def __init__(self, scan: str):
        self.breaks = [(m.start(), m.end()) for m in _CLAUSE_BREAK_FAST.finditer(scan)]
        self.break_ends = [b for _, b in self.breaks]
        self.break_starts = [a for a, _ in self.breaks]
        self.words: list[tuple[int, int, int, str]] = []
        # the words _WORDS finds that can carry a direction (all others have none)
        for m in _DIRECTION_CANDIDATES.finditer(scan):
            word = m.group(0)
            end = m.end()
            if word.lower() in _PHRASE_HEADS:
                nxt = _PHRASE_TAIL.match(scan[end:end + 8])
                if nxt:
                    d, end = 1, end + nxt.end()
                else:
                    d = _word_direction(word)
            else:
                d = _word_direction(word)
            if not d:
                continue
            if _NEGATED.search(scan[max(0, m.start() - 16):m.start()]):
                d = -d
            self.words.append((m.start(), end, d, scan[m.start():end]))
        self.word_starts = [w[0] for w in self.words]

    def clause(self, s0: int, s1: int, start: int, end: int) -> tuple[int, int]:
        """The clause of the number at [start, end) in the sentence [s0, s1)."""
        i = bisect.bisect_right(self.break_ends, start) - 1
        a = max(s0, self.breaks[i][1]) if i >= 0 else s0
        j = bisect.bisect_left(self.break_starts, end)
        b = min(s1, self.breaks[j][0]) if j < len(self.breaks) else s1
        return a, b

    def in_clause(self, a: int, b: int, start: int, end: int) -> tuple[int, str | None]:
        """+1 / -1 from the direction word nearest to a number in its clause [a, b); 0 when there is none."""
        best, best_dist, word = 0, None, None
        words = self.words
        # indexes, not a slice to the end: slicing would copy the rest of the text's words for every number
        for k in range(bisect.bisect_left(self.word_starts, a), len(words)):
            w0, w1, d, text = words[k]
            if w0 >= b:
                break
            if w1 > b or (w0 < end and w1 > start):
                continue
            dist = start - w1 if w1 <= start else w0 - end
            if best_dist is None or dist < best_dist:
                best, best_dist, word = d, dist, text
        return best, word
