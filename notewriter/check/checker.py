"""Checking a text: each number against the facts about its ticker, in its direction."""

from __future__ import annotations

import bisect
import html
import re

from ..sentences import sentence_spans
from . import meaning
from .attribution import _Directions, _prepare, _SegmentBreaks, _subject
from .index import FactIndex, FactRef, _FactIndex
from .numbers import _Token, extract_numbers
from .report import CheckReport, Finding
from .scan import _ascii_folded, _lowered_source

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
# The same words for `.scan._ascii_folded` text, case respected (ignoring case is the slow part of a search).
_CUES_FOLDED = tuple((re.compile(_lowered_source(cue.pattern)), path) for cue, path in _CUES)


def _about(fact: FactRef, subject: str | None) -> bool:
    return fact.ticker is None or fact.ticker == subject or fact.kind == "date"


class _Context:
    """The words around one number that say what it measures (see meaning.py)."""

    __slots__ = ("cues", "unit", "sentence", "direction", "index", "label", "number")

    def __init__(self, cues: dict, unit: str | None, sentence: str, direction: int, index: FactIndex,
                 label: str | None = None):
        self.cues, self.unit, self.sentence, self.direction, self.index = cues, unit, sentence, direction, index
        self.label = label     # the nearest listed name (a sector) before the number in its scope
        self.number = ""       # the number as written


_FLOWS = {"flow_usd", "net_usd", "vendor_flow_usd"}


def _misread(fact: FactRef, subject: str | None, ctx: _Context | None) -> str | None:
    """Why the words around the number do not fit this fact, or None when they fit (or say nothing known)."""
    if ctx is None:
        return None
    path = fact.path
    if ".config." in path or path.startswith("facts.config.") or path.startswith("config."):
        key = path.rsplit(".", 1)[-1]
        if not meaning.threshold_spoken(key, ctx.number, ctx.sentence):
            return f"matches the configuration value {path}, but its clause does not speak of that threshold"
    own = ctx.index.labels.get(path)
    if own is not None and ctx.label is not None and ctx.label != own:
        return f"text puts it under {ctx.label!r}, but {path} is the figure for {own!r}"
    reading = ctx.index.readings.get(path)
    if reading is None:
        return None
    cues = ctx.cues
    if ctx.unit is not None and not meaning.unit_fits(ctx.unit, reading.metric, ctx.index.window_unit):
        return f"the text counts {ctx.unit}s, but the matched figure {path} ({reading.metric}) is not counted in them"
    cue = cues.get("period")
    if cue is not None and not meaning.period_fits(meaning.period_of(cue), reading.period):
        return f"text says {cue.text!r} but the matched figure {path} covers {reading.covers or reading.period}"
    cue = cues.get("metric")
    if cue is not None and not meaning.metric_fits(cue, reading.metric):
        return f"text says {cue.text!r} but the matched figure {path} is {reading.metric}"
    cue = cues.get("compare")
    if cue is not None:
        words, metrics, sign, says = meaning.COMPARISONS[cue.row]
        if reading.metric not in metrics and reading.metric in meaning.KNOWN_METRICS:
            return f"text says {cue.text!r} (of a threshold), but the matched figure {path} is {reading.metric}"
        if reading.metric in metrics and (float(fact.value) > 0) != (sign > 0) and float(fact.value) != 0:
            return f"text says {cue.text!r} ({says}), but {path} is {fact.value}"
    cue = cues.get("rank")
    if cue is not None:
        rule = meaning.RANKS[cue.row][1]
        if reading.metric in meaning.WINDOW_COUNTS:
            history = path.rsplit(".", 1)[0]
            if rule == "smallest":
                return f"text says {cue.text!r}, but no fact ranks this flow the smallest"
            if rule == "largest":
                if not ctx.index.largest.get(history, False):
                    return f"text says {cue.text!r}, but {history}.largest_same_sign is false"
                z = ctx.index.by_path.get(history + ".zscore")
                if z is not None and ctx.direction and (float(z.value) > 0) != (ctx.direction > 0):
                    return f"text says {cue.text!r} in the other direction from {history}.zscore ({z.value})"
        elif rule == "top" and reading.metric in _FLOWS and ctx.index.ranks:
            side = "inflows" if float(fact.value) > 0 else "outflows"
            rank = ctx.index.ranks.get((side, subject or ""))
            if rank != 1:
                return f"text says {cue.text!r}, but {subject} is not first among {side} (rank {rank or 'none'})"
    return None


def _wrong_sign(tok: _Token, fact) -> bool:
    """A number printed with its sign that the fact's sign contradicts (a zero fact has no sign)."""
    fv = float(fact.value)
    return tok.signed and (fv < 0) != (tok.value < 0) and fv != 0


def _judge(tok: _Token, subject: str | None, direction: int, word: str | None, index: _FactIndex,
           finding: Finding, clause: str = "", ctx: _Context | None = None, folded_clause: str | None = None) -> None:
    """Match the number to a fact, or say why none fits; `folded_clause` is `clause` folded (for the cues)."""
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
        cues, text = (_CUES_FOLDED, folded_clause) if folded_clause is not None else (_CUES, clause)
        for cue, path in cues:
            if cue.search(text):
                # a signed figure is never the named fact of the other sign: "-0.2% of shares outstanding" in
                # a clause about 10 sessions names the 10-session figure, not a rise in shares outstanding
                named = [f for f in candidates
                         if path.search(f.path) and _about(f, subject) and not _wrong_sign(tok, f)]
                if named:
                    candidates = named
    wrong_direction = wrong_ticker = wrong_sign = misread = None
    for fact in candidates:
        if fact.kind == "date":
            finding.matched = fact.path
            return
        if _wrong_sign(tok, fact):
            wrong_sign = wrong_sign or fact
            continue
        fv = float(fact.value)
        if not _about(fact, subject):
            wrong_ticker = wrong_ticker or fact
            continue
        if fact.change and direction != 0 and abs(fv) > (tok.hi - tok.lo) / 2:
            if (fv > 0) != (direction > 0):
                wrong_direction = wrong_direction or fact
                continue
        problem = _misread(fact, subject, ctx)
        if problem is not None:
            misread = misread or problem
            continue
        finding.matched = fact.path
        return
    if misread is not None:
        finding.reason = misread
    elif wrong_direction is not None:
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
    folded = _ascii_folded(scan)
    cues = meaning.Cues(scan, folded) if index.readings else None
    labels = [(m.start(), m.end(), m.group(0).lower()) for m in index.labels_rx.finditer(scan)] \
        if index.labels_rx is not None else []
    label_ends = [e for _, e, _ in labels]
    sentences = sentence_spans(text)
    sentence_starts = [a for a, _ in sentences]
    mention_starts = [m[0] for m in mentions]
    by_sentence: dict[tuple[int, int], tuple[str, _SegmentBreaks | None]] = {}
    for n, tok in enumerate(tokens):
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
            ctx = None
            if cues is not None and tok.kinds != ("date",):
                lo = max(a, tokens[n - 1].end) if n else a
                hi = min(b, tokens[n + 1].start + 1) if n + 1 < len(tokens) else b
                unit = meaning.unit_after(scan, tok.end) if "count" in tok.kinds else None
                label = None
                if labels:
                    k = bisect.bisect_right(label_ends, tok.start) - 1
                    if k >= 0 and labels[k][0] >= lo:
                        label = labels[k][2]
                prev = tokens[n - 1] if n and tokens[n - 1].end > a and tokens[n - 1].kinds != ("date",) else None
                nxt = tokens[n + 1] if n + 1 < len(tokens) and tokens[n + 1].start < b and \
                    tokens[n + 1].kinds != ("date",) else None
                near = cues.near(lo, hi, tok.start, tok.end, prev.end if prev else None, nxt.start if nxt else None)
                ctx = _Context(near, unit, scan[a:b], direction, index, label)
                ctx.number = tok.text
            _judge(tok, subject, 0 if tok.signed else direction, word, values, finding, scan[a:b], ctx,
                   folded[a:b] if folded is not None else None)
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
