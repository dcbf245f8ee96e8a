"""Checking a text: each number against the facts about its ticker, in its direction."""

from __future__ import annotations

import bisect
import html
import re

from ..sentences import sentence_spans
from .attribution import _Directions, _prepare, _SegmentBreaks, _subject
from .index import FactIndex, FactRef, _FactIndex
from .numbers import _Token, extract_numbers
from .report import CheckReport, Finding

# Words in a number's clause that name the fact it states: when a fact with that name has the value, only
# such facts are candidates (so "down 1.8% year to date" is read against the YTD return, not against
# another fact that happens to be -1.8%).
_CUES = (
    (re.compile(r"year[- ]to[- ]date|\bYTD\b|so far this year", re.I), re.compile(r"ytd")),
    (re.compile(r"52-week|52 week", re.I), re.compile(r"52w|off_high")),
    (re.compile(r"shares outstanding", re.I), re.compile(r"shares_")),
    (re.compile(r"last session|on the day\b", re.I), re.compile(r"day_change")),
    (re.compile(r"realized volatility", re.I), re.compile(r"realized_vol")),
    (re.compile(r"expense ratio", re.I), re.compile(r"expense_ratio")),
)


def _about(fact: FactRef, subject: str | None) -> bool:
    return fact.ticker is None or fact.ticker == subject or fact.kind == "date"


def _judge(tok: _Token, subject: str | None, direction: int, word: str | None, index: _FactIndex,
           finding: Finding, clause: str = "") -> None:
    if tok.kinds == ("date",):
        candidates = index.dates.get(tok.date_key, [])
        if candidates:
            finding.matched = candidates[0].path
        else:
            finding.reason = "no date fact on this date"
        return
    candidates = index.near(tok.kinds, tok.lo, tok.hi)
    if "year" in tok.kinds and float(tok.value).is_integer() and 1900 <= tok.value <= 2100:
        candidates = candidates + index.dates.get(str(int(tok.value)), [])
    if clause and len(candidates) > 1:
        for cue, path in _CUES:
            if cue.search(clause):
                named = [f for f in candidates if path.search(f.path) and _about(f, subject)]
                if named:
                    candidates = named
    wrong_direction = wrong_ticker = wrong_sign = None
    for fact in candidates:
        if fact.kind == "date":
            finding.matched = fact.path
            return
        fv = float(fact.value)
        if tok.signed and (fv < 0) != (tok.value < 0) and fv != 0:
            wrong_sign = wrong_sign or fact
            continue
        if not _about(fact, subject):
            wrong_ticker = wrong_ticker or fact
            continue
        if fact.change and direction != 0 and abs(fv) > (tok.hi - tok.lo) / 2:
            if (fv > 0) != (direction > 0):
                wrong_direction = wrong_direction or fact
                continue
        finding.matched = fact.path
        return
    if wrong_direction is not None:
        finding.reason = (f"the direction word {word!r} disagrees with the sign of {wrong_direction.path} "
                          f"({wrong_direction.value})")
    elif wrong_sign is not None:
        finding.reason = f"the sign disagrees with {wrong_sign.path} ({wrong_sign.value})"
    elif wrong_ticker is not None:
        finding.reason = (f"matches {wrong_ticker.path}, which is about {wrong_ticker.ticker}, "
                          f"not {subject or 'the subject of this sentence'}")
    else:
        finding.reason = "no fact with this value within the rounding shown"


def check_text(text: str, facts: list[FactRef], tickers: set[str], names: list[str],
               default_ticker: str | None, named: dict[str, str] | None = None) -> CheckReport:
    """Check prose against facts; `named` maps fund/holding names to tickers so names attribute numbers too."""
    return _check(text, FactIndex(facts, tickers, names, named or {}), default_ticker)


def _check(text: str, index: FactIndex, default_ticker: str | None) -> CheckReport:
    scan, mentions = _prepare(text, index)
    report = CheckReport()
    tokens = extract_numbers(scan)
    if not tokens:
        return report
    values = index.values
    directions = _Directions(scan)
    sentences = sentence_spans(text)
    sentence_starts = [a for a, _ in sentences]
    mention_starts = [m[0] for m in mentions]
    by_sentence: dict[tuple[int, int], tuple[str, _SegmentBreaks | None]] = {}
    for tok in tokens:
        k = max(0, bisect.bisect_right(sentence_starts, tok.start) - 1)
        s0, s1 = sentences[k] if sentences else (0, len(scan))
        s1 = max(s1, tok.end)
        a = bisect.bisect_left(mention_starts, s0)
        b = bisect.bisect_left(mention_starts, s1)
        near = [m for m in mentions[a:b] if m[1] <= s1]
        if near:
            sentence, segments = by_sentence.get((s0, s1)) or (None, None)
            if sentence is None:
                sentence = scan[s0:s1]
                segments = _SegmentBreaks(sentence)
                by_sentence[(s0, s1)] = (sentence, segments)
            subject = _subject(sentence, s0, tok, near, default_ticker, segments)
        else:
            subject = default_ticker
        a, b = directions.clause(s0, s1, tok.start, tok.end)
        direction, word = directions.in_clause(a, b, tok.start, tok.end)
        finding = Finding(tok.start, tok.end, text[tok.start:tok.end], "/".join(tok.kinds), tok.value, subject)
        if tok.signed and direction != 0 and (direction > 0) != (tok.value > 0) and tok.value != 0:
            finding.reason = f"the direction word {word!r} contradicts the sign shown"
        else:
            _judge(tok, subject, 0 if tok.signed else direction, word, values, finding, scan[a:b])
        report.findings.append(finding)
    return report


def check_note(text: str, facts_doc: dict | FactIndex, default_ticker: str | None = None) -> CheckReport:
    """Check a whole note (Markdown, plain text, HTML or an editor's edit of any) against a facts document.

    `facts_doc` may also be a `FactIndex.from_doc(doc)`, built once and reused for every text checked
    against the same document (the result is the same, without walking the document again)."""
    index = facts_doc if isinstance(facts_doc, FactIndex) else FactIndex.from_doc(facts_doc)
    subject = default_ticker or index.ticker
    return _check(_strip_markup(text), index, subject)


def section_checker(facts_doc: dict, default_ticker: str | None = None):
    """The `check(section_key, text) -> problems` callable the LLM pass takes: the document is indexed
    once for every section checked against it; [] means every number is supported."""
    index = FactIndex.from_doc(facts_doc)

    def check(key: str, text: str) -> list[str]:
        return [f"{x.text}: {x.reason}" for x in check_note(text, index, default_ticker).unsupported]

    return check


_HTML = re.compile(r"<(p|h1|h2|td|html)\b")


def _strip_markup(text: str) -> str:
    """Remove Markdown/HTML markup that is not prose; Markdown keeps its character positions."""
    if "<" in text and _HTML.search(text):
        text = re.sub(r"<(style|script|title)\b.*?</\1>", " ", text, flags=re.S | re.I)
        text = re.sub(r"\s*\n\s*", " ", text)
        text = re.sub(r"</(p|h\d|tr|li|div|table)>", "\n", text, flags=re.I)
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    for ch in "*_`#|":
        if ch in text:
            text = text.replace(ch, " ")
    return text
