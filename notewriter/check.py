"""The fact-checker: every number in a note must state a fact, about the right ticker, in the right direction.

A note (our own Markdown, HTML or text output, or an editor's edit of it) is checked against a facts
document (what `notewriter facts` prints). For each number in the prose the checker

1. reads it: money ("$399.4 million", "$399.4m", "$1.5bn", "USD 250 thousand"), percentages ("0.6%",
   "+1.5%", "0.6 percent", "60 bps"), share counts ("649,550,000", "3.9 million shares"), prices
   ("$101.23"), dates ("2024-05-06", "May 6, 2024", "Nov. 15, 2024", "6 May 2024", "May 6", "10/31/2025"),
   counts, ordinals ("8th"), z-scores and ratios ("0.7 times", "0.7x"), with the rounding the text shows
   (hedges such as "about $400 million" widen it to the rounding a round number implies; "more than" /
   "less than" state bounds);
2. finds the ticker it is about: a parenthetical it sits in ("(JXN +3.2%)"), else the last ticker or
   fund/holding name earlier in its comma/clause segment, else the first later in the segment, else the
   sentence, else the note's own fund;
3. reads the direction word that governs it (the nearest of inflow/outflow, rose/fell, gained/lost,
   creations/redemptions, up/down, took in/shed, ... in its clause);
4. accepts it only when a fact of a compatible kind, about that ticker (facts without a ticker, such as
   configuration and calendar facts, are about any), has that value within the rounding shown and, for
   facts flagged `change`, the sign the direction word (or an explicit sign) states.

Each finding carries the span, the matched fact path or the reason none matched.
"""

from __future__ import annotations

import bisect
import html
import math
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable

_MONTH_NAMES = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
                "october", "november", "december"]
_MONTHS = {m: i + 1 for i, m in enumerate(_MONTH_NAMES)}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9

_MONTH_RE = (r"(?-i:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
             r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_ORD = r"(?:st|nd|rd|th)?"

# Dates first (they contain numbers that are not numbers of their own).
_DATE = (
    r"(?P<iso>\b\d{4}-\d{2}-\d{2}\b)"
    r"|(?P<mdy>\b" + _MONTH_RE + r"\s+\d{1,2}" + _ORD + r"(?!\d)(?:,?\s+(?P<mdy_y>\d{4})\b)?)"
    r"|(?P<dmy>\b\d{1,2}" + _ORD + r"\s+" + _MONTH_RE + r"(?:,?\s+(?P<dmy_y>\d{4}))?\b)"
    r"|(?P<my>\b" + _MONTH_RE + r"\s+(?P<my_y>\d{4})\b)"
    r"|(?P<us>\b\d{1,2}/\d{1,2}/\d{4}\b)"
)
_SCALE_WORDS = r"thousand|million|billion|trillion|mln|bln|mn|bn|tn|mm"
_DATES = re.compile(r"(?=[\dJFMASOND])(?:" + _DATE + ")")
_NUMBER = re.compile(
    r"(?=[\d$+\-−U])"  # a cheap first-character filter keeps the scan fast
    r"(?P<sign>(?<![\w.%$)\]])[+\-−](?=(?:\$|US\$|USD\s?)?\d))?"
    r"(?P<dollar>US\$|\$|USD\s?)?\s?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<suffix>\s*(?:%|percent\b|per\s?cent\b|pct\b|basis\s+points?\b|bps?\b)"
    r"|\s*(?:" + _SCALE_WORDS + r")\b|[kKmMbB](?:n|ln)?\b|(?:st|nd|rd|th)\b|\s?(?:x|×)(?![\w])"
    r"|\s+times\b)?",
    re.IGNORECASE)

_SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mln": 1e6, "mn": 1e6, "m": 1e6, "mm": 1e6,
          "billion": 1e9, "bln": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12}

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
_WORDS = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
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

# Clause breaks for direction words; segment breaks for ticker attribution.
_CLAUSE_BREAK = re.compile(
    r"[;:()—]|\s–\s|,\s+(?:while|but|whereas|and|compared)\b|\s(?:while|whereas|but|against|versus|vs\.?|"
    r"compared\s+(?:with|to)|lagging|trailing|behind|than)\s")
_SEGMENT_BREAK = re.compile(r"[,;:—]\s|\s–\s|\s(?:while|whereas|but|against|versus|vs\.?)\s")

# Words right before a number that change what it claims: hedges widen the rounding of a round number,
# bounds state a lower or upper limit, "z-score" fixes the kind.
_QUALIFIER = re.compile(
    r"(?=[acfijlmnrsuz~≈])"
    r"(?:(?P<hedge>\b(?:about|around|roughly|some|approximately|approx\.|nearly|almost|close\s+to|"
    r"just\s+(?:under|over|below|above))|~|≈)"
    r"|(?P<lower>\b(?:more\s+than|at\s+least|in\s+excess\s+of|upwards\s+of|exceeding))"
    r"|(?P<upper>\b(?:less\s+than|fewer\s+than|at\s+most|no\s+more\s+than|up\s+to))"
    r"|(?P<zscore>\bz-?score(?:\s+of)?))\s*(?=[$+\-−\dU])", re.I)

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

# Names of indexes and instruments whose digits are not claims ("S&P 500", "10-year Treasury").
_INSTRUMENT_NAMES = re.compile(
    r"\bS&P\s+(?:MidCap\s+|SmallCap\s+|Composite\s+)?\d{3,4}\b|\bRussell\s+(?:Top\s+|Midcap\s+)?\d{3,4}\b|"
    r"\bNasdaq[- ]100\b|\bNASDAQ[- ]100\b|\bFTSE\s+\d{2,3}\b|\b(?:Euro\s+)?Stoxx\s+\d{2,3}\b|\bNikkei\s+225\b|"
    r"\bDAX\s+40\b|\bCAC\s+40\b|\bDow\s+30\b|\bKOSPI\s+200\b|\bMSCI\s+\w+\s+\d{2,3}\b|"
    r"\b\d{1,2}-year\s+(?:Treasur(?:y|ies)|notes?|bonds?|yields?|gilts?|bunds?)\b|"
    r"\b(?:Q[1-4]|[12]H|H[12]|FY|CY)\s?\d{2,4}\b|\b401\(k\)|\b24/7\b")
_URL = re.compile(r"https?://\S+|\]\([^)]*\)|\[\d+\]")
_LIST_NUMBER = re.compile(r"^[ \t>]*\d{1,3}[.)](?=\s)", re.M)
_SENTENCE_END = re.compile(r"[.!?](?=\s+[\"'(*#|\[A-Z0-9])|\n+")
_ABBREVIATIONS = {"inc", "corp", "co", "ltd", "plc", "llc", "jr", "sr", "st", "vs", "e.g", "i.e", "u.s", "no",
                  "mr", "ms", "dr", "approx", "est", "cf", "sept", "etc"} | {m[:3] for m in _MONTH_NAMES}

# ---- scanning fast ---------------------------------------------------------------------------------
# Python's regex engine skips quickly only to a literal or to a character set that starts a pattern; a
# pattern that starts with a lookbehind, a word boundary or a lookahead is tried at every position of the
# text. The scans below are the patterns above, either rewritten so that they start with a character set
# (same matches: each rewrite consumes the first character and dispatches on it with a lookbehind), or
# tried only where a cheap candidate pattern (matching wherever the full one could start) finds a start.

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


# Where a date can start: a digit that begins an ISO, US or day-month date, or a month name.
_DATE_STARTS = re.compile(
    r"[\dJFMASOND](?:(?<=\d)(?:\d{3}-|\d?(?:st|nd|rd|th)?\s+[JFMASOND]|\d?/)|(?<=J)(?:an|un|ul)|(?<=F)eb|"
    r"(?<=M)a[ry]|(?<=A)(?:pr|ug)|(?<=S)ep|(?<=O)ct|(?<=N)ov|(?<=D)ec)")
# Where a number can start: a digit, a dollar sign, "US"/"USD", or a sign before one of those.
_NUMBER_STARTS = re.compile("[\\d$+\\-−Uu](?:(?<=[Uu])[Ss\u017f]|(?<=[+\\-−])(?=[$\\dUu])|(?<=[\\d$]))")
# Where a qualifier can start: the first two letters of one (any case, with the non-ASCII letters that
# match i and s when case is ignored) at a word start, or "~" / "≈".
_QUALIFIER_STARTS = re.compile(
    "[~≈AaCcFfIiJjLlMmNnRrSsUuZz\u0130\u0131\u017f](?:(?<=[~≈])|(?<!\\w.)(?:"
    "(?<=[Aa])[BbRrPpLlTt]|(?<=[Rr])[Oo]|(?<=[Ss\u017f])[Oo]|(?<=[Nn])[EeOo]|(?<=[Cc])[Ll]|(?<=[Jj])[Uu]|"
    "(?<=[Mm])[Oo]|(?<=[Ii\u0130\u0131])[Nn]|(?<=[Uu])[Pp]|(?<=[Ll])[Ee]|(?<=[Ff])[Ee]|(?<=[Zz])[-Ss\u017f]))")
# Where an index or instrument name can start.
_INSTRUMENT_STARTS = re.compile(
    r"[SRNFEDCKMQH\d](?<!\w.)(?:(?<=S)(?:&P|toxx)|(?<=R)ussell|(?<=N)(?:asdaq|ASDAQ|ikkei)|(?<=F)(?:TSE|Y)|"
    r"(?<=E)uro|(?<=D)(?:AX|ow)|(?<=C)(?:AC|Y)|(?<=K)OSPI|(?<=M)SCI|(?<=\d)(?:\d?-|H|01\(|4/)|(?<=Q)[1-4]|"
    r"(?<=H)[12])")
# _LIST_NUMBER after a newline (a line start); the text's own start is tried apart.
_LIST_NUMBER_NL = re.compile(r"\n[ \t>]*\d{1,3}[.)](?=\s)")
# _CLAUSE_BREAK, _SEGMENT_BREAK and _SENTENCE_END, starting with a character set.
_CLAUSE_BREAK_FAST = re.compile(
    r"[;:()—,\s](?:(?<=[;:()—])|(?<=,)\s+(?:while|but|whereas|and|compared)\b|(?<=\s)(?:–\s|(?:while|whereas|"
    r"but|against|versus|vs\.?|compared\s+(?:with|to)|lagging|trailing|behind|than)\s))")
_SEGMENT_BREAK_FAST = re.compile(
    r"[,;:—\s](?:(?<=[,;:—])\s|(?<=\s)(?:–\s|(?:while|whereas|but|against|versus|vs\.?)\s))")
_SENTENCE_END_FAST = re.compile(r"[.!?\n](?:(?<=\n)\n*|(?=\s+[\"'(*#|\[A-Z0-9]))")


@dataclass(frozen=True)
class FactRef:
    path: str
    value: float | str
    kind: str
    ticker: str | None
    change: bool = False


@dataclass
class Finding:
    """One number in the text and the fact it matched, or why none did."""

    start: int
    end: int
    text: str
    kind: str
    value: float | str
    ticker: str | None
    matched: str | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.matched is not None

    def as_dict(self) -> dict:
        row = {"span": [self.start, self.end], "text": self.text, "kind": self.kind, "ticker": self.ticker,
               "matched": self.matched, "reason": self.reason}
        return {k: v for k, v in row.items() if v is not None}


@dataclass
class CheckReport:
    findings: list[Finding] = field(default_factory=list)

    @property
    def unsupported(self) -> list[Finding]:
        return [f for f in self.findings if not f.ok]

    @property
    def ok(self) -> bool:
        return not self.unsupported

    def as_dict(self) -> dict:
        return {"ok": self.ok, "numbers": len(self.findings), "unsupported": len(self.unsupported),
                "findings": [f.as_dict() for f in self.findings]}

    def summary_lines(self) -> list[str]:
        lines = []
        for f in self.findings:
            where = f"[{f.start}:{f.end}]"
            if f.ok:
                lines.append(f"ok    {where} {f.text!r} ({f.ticker or '-'}) = {f.matched}")
            else:
                lines.append(f"FAIL  {where} {f.text!r} ({f.ticker or '-'}): {f.reason}")
        lines.append(f"{len(self.findings)} numbers, {len(self.unsupported)} unsupported")
        return lines


# ---- facts ------------------------------------------------------------------------------------

def _walk_facts(doc: dict):
    """Facts, known tickers, vendor names and name -> ticker for the named entities in a facts document."""
    facts: list[FactRef] = []
    tickers: set[str] = set()
    names: list[str] = []
    named: dict[str, str] = {}

    def walk(node, path: str):
        if isinstance(node, dict):
            if "value" in node and "kind" in node and isinstance(node.get("kind"), str):
                facts.append(FactRef(path, node["value"], node["kind"], node.get("ticker"), bool(node.get("change"))))
                if node.get("ticker"):
                    tickers.add(node["ticker"])
                return
            ticker = node.get("ticker") if isinstance(node.get("ticker"), str) else None
            if ticker:
                tickers.add(ticker)
            for key in ("name", "category", "family"):
                if isinstance(node.get(key), str) and node[key]:
                    names.append(node[key])
            if ticker and isinstance(node.get("name"), str) and node["name"].strip():
                named.setdefault(node["name"].strip(), ticker)
            for k, v in node.items():
                walk(v, f"{path}.{k}" if path else k)
        elif isinstance(node, (list, tuple)):
            if len(node) == 2 and isinstance(node[0], str) and isinstance(node[1], dict):
                names.append(node[0])
                names.append(node[0].replace("_", " "))
            for i, v in enumerate(node):
                walk(v, f"{path}[{i}]")

    walk({k: v for k, v in doc.items() if k != "sentiment"}, "")
    sent = doc.get("sentiment")
    if isinstance(sent, dict):
        own = doc.get("ticker") if isinstance(doc.get("ticker"), str) else None
        for key in ("score", "facts_score", "text_score"):
            if isinstance(sent.get(key), (int, float)):
                facts.append(FactRef(f"sentiment.{key}", float(sent[key]), "score", own))
        for i, row in enumerate(sent.get("ticker_sentiment") or []):
            for key in ("score", "relevance"):
                if isinstance(row.get(key), (int, float)):
                    facts.append(FactRef(f"sentiment.ticker_sentiment[{i}].{key}", float(row[key]), "score",
                                         row.get("ticker")))
            if row.get("ticker"):
                tickers.add(row["ticker"])
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


def _names_pattern(maskable: set[str]) -> re.Pattern:
    """`(?<![A-Za-z0-9])(?:name|...)(?![A-Za-z0-9])`, ignoring case, longest name first.

    For names that start with an ASCII character each alternative starts with one spelling of its first
    character (and the rest ignores case), so the scan skips to candidate characters quickly."""
    ordered = sorted(maskable, key=lambda s: (-len(s), s))
    if not all(n[0].isascii() for n in ordered):
        return re.compile(rf"(?<![A-Za-z0-9])(?:{_alternation(maskable)})(?![A-Za-z0-9])", re.I)
    alts = []
    for n in ordered:
        first, rest = n[0], n[1:]
        for v in sorted(_CASE_VARIANTS.get(first.lower(), {first})):
            alts.append(f"{re.escape(v)}(?i:(?<![A-Za-z0-9](?s:{re.escape(v)})){re.escape(rest)})")
    return re.compile(f"(?:{'|'.join(alts)})(?i:(?![A-Za-z0-9]))")


def _tickers_pattern(tickers: set[str]) -> re.Pattern:
    """`(?<![A-Za-z0-9$])(?:TICKER|...)(?![A-Za-z0-9])`, longest first, each alternative starting with its
    ticker (the lookbehind follows it), so the scan skips to the first letters of tickers."""
    alts = [f"{re.escape(t)}(?<![A-Za-z0-9$]{re.escape(t)})" for t in sorted(tickers, key=lambda s: (-len(s), s))]
    return re.compile(f"(?:{'|'.join(alts)})(?![A-Za-z0-9])")


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
        self.names_rx = _names_pattern(self.maskable) if self.maskable else None
        self.tickers_rx = _tickers_pattern(tickers) if tickers else None

    @classmethod
    def from_doc(cls, doc: dict) -> FactIndex:
        facts, tickers, names, named = _walk_facts(doc)
        return cls(facts, tickers, names, named, doc.get("ticker"))


# ---- numbers in text ----------------------------------------------------------------------------

@dataclass
class _Token:
    start: int
    end: int
    text: str
    kinds: tuple[str, ...]
    value: float | str
    lo: float = 0.0           # magnitude bounds the text allows
    hi: float = 0.0
    signed: bool = False      # an explicit + or - sign
    date_key: str = ""        # for dates: the key into the date index


def _precision(num: str) -> float:
    """Half a unit of the last digit shown."""
    if "." in num:
        return 0.5 * 10 ** -len(num.split(".")[1])
    return 0.5


def _round_number_tolerance(num: str) -> float:
    """For a hedged round number ("about 400"), half the place of its last non-zero digit."""
    if "." in num:
        return _precision(num)
    digits = num.replace(",", "")
    stripped = digits.rstrip("0")
    zeros = len(digits) - len(stripped)
    return 0.5 * 10 ** zeros if stripped else 0.5


_LETTERS = re.compile(r"[A-Za-z]+")
_DAY = re.compile(r"(?<!\d)(\d{1,2})(?!\d)")


def _month(s: str) -> int:
    word = _LETTERS.search(s).group(0).lower()
    return 9 if word.startswith("sept") else _MONTHS[word[:3]]


def _parse_date(m: re.Match) -> tuple[str, str] | None:
    """(display value, index key) for a date match; the key may be a full date, a month-day or a month."""
    try:
        if m.group("iso"):
            d = date.fromisoformat(m.group("iso"))
            return d.isoformat(), d.isoformat()
        if m.group("us"):
            mo, dd, yy = (int(x) for x in m.group("us").split("/"))
            d = date(yy, mo, dd)
            return d.isoformat(), d.isoformat()
        if m.group("mdy") or m.group("dmy"):
            s = m.group("mdy") or m.group("dmy")
            month = _month(s)
            day = int(_DAY.search(s).group(1))
            year = m.group("mdy_y") or m.group("dmy_y")
            if year:
                d = date(int(year), month, day)
                return d.isoformat(), d.isoformat()
            date(2000, month, day)  # validates the day
            return f"{month:02d}-{day:02d}", f"{month:02d}-{day:02d}"
        if m.group("my"):
            month = _month(m.group("my"))
            return f"{m.group('my_y')}-{month:02d}", f"{m.group('my_y')}-{month:02d}"
    except (ValueError, KeyError, AttributeError):
        return None
    return None


_SPACES = re.compile(r"\s+")
_WORD_CHAR_BEFORE = re.compile(r"[A-Za-z_]")
_WORD_CHAR_AFTER = re.compile(r"[A-Za-z_\d]")
_SCALE_LETTER = re.compile(r"[kmb]")
_SHARES_AFTER = re.compile(r"\s+(?:shares|units)\b", re.I)
_DOLLARS_FOLLOW = re.compile(r"\s*(?:dollars|usd)\b")
_SHARES_FOLLOW = re.compile(r"\s*(?:shares|units)\b")


def extract_numbers(text: str) -> list[_Token]:
    """Every number in `text` (already masked) with the kinds of fact it can state and the bounds it allows."""
    tokens: list[_Token] = []
    taken: list[tuple[int, int]] = []
    qualifiers = {m.end(): m.lastgroup for m in _finditer(_QUALIFIER, _QUALIFIER_STARTS, text)}
    for m in _finditer(_DATES, _DATE_STARTS, text):
        parsed = _parse_date(m)
        if parsed is None:
            continue
        taken.append((m.start(), m.end()))
        tokens.append(_Token(m.start(), m.end(), m.group(0), ("date",), parsed[0], date_key=parsed[1]))
    taken_starts = [a for a, _ in taken]
    for m in _finditer(_NUMBER, _NUMBER_STARTS, text):
        if taken:
            k = bisect.bisect_right(taken_starts, m.start()) - 1
            if (k >= 0 and taken[k][1] > m.start()) or (k + 1 < len(taken) and taken[k + 1][0] < m.end()):
                continue  # inside a date
        num = m.group("num")
        if num is None:
            continue
        start = m.start("sign") if m.group("sign") else m.start("dollar") if m.group("dollar") else m.start("num")
        before = text[max(0, start - 1):start]
        suffix_raw = m.group("suffix") or ""
        suffix = _SPACES.sub(" ", suffix_raw.strip().lower()) if suffix_raw else ""
        end = m.end()
        after = text[end:end + 1]
        if _WORD_CHAR_BEFORE.match(before) or (after and _WORD_CHAR_AFTER.match(after)):
            continue  # part of a word or identifier (Q4, 3M, S&P500, A1B2)
        if _SCALE_LETTER.match(suffix) and len(suffix) <= 3 and not m.group("dollar") and \
                not _SHARES_AFTER.match(text[end:end + 8]):
            continue  # "3M", "10b": identifiers, not amounts
        raw = float(num.replace(",", ""))
        sign = m.group("sign")
        signed = sign is not None
        value = -raw if sign in ("-", "−") else raw
        tol = _precision(num)
        dollar = bool(m.group("dollar"))
        follows = text[end:end + 40].lower()
        if suffix in ("%", "percent", "per cent", "percent", "pct") or suffix.startswith("per"):
            kinds, scale = ("pct",), 0.01
        elif suffix.startswith("basis") or suffix in ("bp", "bps"):
            kinds, scale = ("pct",), 1e-4
        elif suffix in _SCALE:
            scale = _SCALE[suffix]
            if dollar or _DOLLARS_FOLLOW.match(follows):
                kinds = ("usd",)
            elif _SHARES_FOLLOW.match(follows):
                kinds = ("shares", "count")
            else:
                kinds = ("usd", "shares", "count")
        elif suffix in ("st", "nd", "rd", "th"):
            kinds, scale = ("count",), 1.0
        elif suffix in ("x", "×", "times"):
            kinds, scale = ("ratio",), 1.0
        elif dollar:
            kinds, scale = ("price", "usd"), 1.0
        elif _SHARES_FOLLOW.match(follows):
            kinds, scale = ("shares", "count"), 1.0
        elif qualifiers.get(start) == "zscore":
            kinds, scale = ("zscore",), 1.0
        elif "," in num:
            kinds, scale = ("shares", "count", "usd"), 1.0
        elif "." in num:
            kinds, scale = ("zscore", "score", "ratio", "price"), 1.0
        else:
            kinds, scale = ("count", "shares", "year"), 1.0  # a bare integer
        value *= scale
        tol *= scale
        mag = abs(value)
        lo, hi = mag - tol, mag + tol
        qualifier = qualifiers.get(start)
        if qualifier == "hedge":
            wide = min(_round_number_tolerance(num) * scale, 0.05 * mag)
            lo, hi = min(lo, mag - wide), max(hi, mag + wide)
        elif qualifier == "lower":
            lo, hi = mag - tol, max(mag * 1.25, mag + tol)
        elif qualifier == "upper":
            lo, hi = min(mag * 0.75, mag - tol), mag + tol
        slack = 1e-9 * max(1.0, mag) + 1e-12
        tokens.append(_Token(start, end, text[start:end], kinds, value, lo - slack, hi + slack, signed))
    tokens.sort(key=lambda t: t.start)
    return tokens


# ---- the text around a number -------------------------------------------------------------------

def _blank(chars: list[str], a: int, b: int) -> None:
    chars[a:b] = " " * (b - a)


_WORD_AT_END = re.compile(r"([A-Za-z.]+)$")


def _sentences(text: str) -> list[tuple[int, int]]:
    out = []
    a = 0
    for m in _SENTENCE_END_FAST.finditer(text):
        if m.group(0)[0] == ".":
            word = _WORD_AT_END.search(text[max(0, m.start() - 6):m.start()])
            if word and word.group(1).lower().lstrip(".") in _ABBREVIATIONS:
                continue
            if m.start() > 0 and text[m.start() - 1].isupper() and (m.start() < 2 or not text[m.start() - 2].isalpha()):
                continue  # an initial ("J. Smith")
        b = m.end() if m.group(0)[0] != "\n" else m.start()
        if b > a:
            out.append((a, b))
        a = m.end()
    if a < len(text):
        out.append((a, len(text)))
    return out


def _segment_bounds(sentence: str, offset: int, end: int) -> tuple[int, int]:
    """The comma/clause-delimited stretch of the sentence around a number (parentheses do not break it)."""
    return _SegmentBreaks(sentence).bounds(offset, end)


class _SegmentBreaks:
    """The segment breaks of one sentence, for `_segment_bounds` of every number in it."""

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
        i = bisect.bisect_right(self.break_ends, start) - 1
        a = max(s0, self.breaks[i][1]) if i >= 0 else s0
        j = bisect.bisect_left(self.break_starts, end)
        b = min(s1, self.breaks[j][0]) if j < len(self.breaks) else s1
        return a, b

    def at(self, s0: int, s1: int, start: int, end: int) -> tuple[int, str | None]:
        """+1 / -1 from the direction word nearest to the number in its clause; 0 when there is none."""
        return self.in_clause(*self.clause(s0, s1, start, end), start, end)

    def in_clause(self, a: int, b: int, start: int, end: int) -> tuple[int, str | None]:
        """`at` for a number whose clause is [a, b)."""
        best, best_dist, word = 0, None, None
        for w0, w1, d, text in self.words[bisect.bisect_left(self.word_starts, a):]:
            if w0 >= b:
                break
            if w1 > b or (w0 < end and w1 > start):
                continue
            dist = start - w1 if w1 <= start else w0 - end
            if best_dist is None or dist < best_dist:
                best, best_dist, word = d, dist, text
        return best, word


# ---- checking ----------------------------------------------------------------------------------

def _alternation(items: Iterable[str]) -> str:
    return "|".join(re.escape(x) for x in sorted(set(items), key=lambda s: (-len(s), s)))


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


def _prepare_indexed(text: str, index: FactIndex):
    """`_prepare` with the patterns of a FactIndex (same scan text and mentions)."""
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
    if index.names_rx is not None:
        maskable, lowered = index.maskable, index.lowered
        for m in index.names_rx.finditer(text):
            found = m.group(0)
            if " " not in found and found not in maskable:
                continue  # a one-word name must match as written ("Target", not "target")
            key = found.lower()
            if key in lowered:
                mentions.append((m.start(), m.end(), lowered[key]))
            taken.append(m.span())
    spans.extend(taken)
    if index.tickers_rx is not None:
        for m in index.tickers_rx.finditer(text):
            p = m.start()
            if taken and any(a <= p < b for a, b in taken):
                continue
            mentions.append((p, m.end(), m.group(0)))
            spans.append(m.span())
    mentions.sort()
    return _masked(text, spans), mentions


def _prepare(text: str, tickers: set[str], names: list[str], named: dict[str, str]):
    """Mask what is not a number claim; return the scan text and the ticker mentions (start, end, ticker)."""
    chars = list(text)
    for rx in (_URL, _LIST_NUMBER, _INSTRUMENT_NAMES):
        for m in rx.finditer(text):
            _blank(chars, m.start(), m.end())
    mentions: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    lowered = {n.lower(): t for n, t in named.items()}
    maskable = {n.strip() for n in names if n and n.strip() and (re.search(r"\d", n) or n.strip() in named)}
    if maskable:
        for m in re.finditer(rf"(?<![A-Za-z0-9])(?:{_alternation(maskable)})(?![A-Za-z0-9])", text, re.I):
            found = m.group(0)
            if " " not in found and found not in maskable:
                continue  # a one-word name must match as written ("Target", not "target")
            if found.lower() in lowered:
                mentions.append((m.start(), m.end(), lowered[found.lower()]))
            taken.append((m.start(), m.end()))
            _blank(chars, m.start(), m.end())
    if tickers:
        for m in re.finditer(rf"(?<![A-Za-z0-9$]){'(?:' + _alternation(tickers) + ')'}(?![A-Za-z0-9])", text):
            if any(a <= m.start() < b for a, b in taken):
                continue
            mentions.append((m.start(), m.end(), m.group(0)))
            _blank(chars, m.start(), m.end())
    mentions.sort()
    return "".join(chars), mentions


def _subject(scan: str, s0: int, tok: _Token, mentions: list[tuple[int, int, str]], default: str | None,
             segments: _SegmentBreaks | None = None) -> str | None:
    """The ticker a number is about (positions relative to the sentence starting at s0); `segments` are the
    sentence's segment breaks when already found."""
    if not mentions:
        return default
    rel = [(a - s0, b - s0, t) for a, b, t in mentions]
    start, end = tok.start - s0, tok.end - s0
    inside = [t for (a, b, t) in rel if a < start and _open_paren_before(scan, a, start)]
    if inside:
        return inside[-1]
    seg_a, seg_b = (segments or _SegmentBreaks(scan)).bounds(start, end)
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
    scan, mentions = _prepare_indexed(text, index)
    report = CheckReport()
    tokens = extract_numbers(scan)
    if not tokens:
        return report
    values = index.values
    directions = _Directions(scan)
    sentences = _sentences(text)
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
