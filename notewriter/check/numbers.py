"""Numbers and dates in text: what kind of fact each can state and the values its rounding allows."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import date

from .scan import _finditer

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
    r"(?P<suffix>\s*(?:%|percentage\s+points?\b|percent\b|per\s?cent\b|pct\b|basis\s+points?\b|bps?\b|pp\b)"
    r"|\s*(?:" + _SCALE_WORDS + r")\b|[kKmMbB](?:n|ln)?\b|(?:st|nd|rd|th)\b|\s?(?:x|×)(?![\w])"
    r"|\s+times\b)?",
    re.IGNORECASE)

_SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mln": 1e6, "mn": 1e6, "m": 1e6, "mm": 1e6,
          "billion": 1e9, "bln": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12}

# Words right before a number that change what it claims: hedges widen the rounding of a round number,
# bounds state a lower or upper limit, "z-score" fixes the kind.
_QUALIFIER = re.compile(
    r"(?=[acfijlmnrsuz~≈])"
    r"(?:(?P<hedge>\b(?:about|around|roughly|some|approximately|approx\.|nearly|almost|close\s+to|"
    r"just\s+(?:under|over|below|above))|~|≈)"
    r"|(?P<lower>\b(?:more\s+than|at\s+least|in\s+excess\s+of|upwards\s+of|exceeding))"
    r"|(?P<upper>\b(?:less\s+than|fewer\s+than|at\s+most|no\s+more\s+than|up\s+to))"
    r"|(?P<zscore>\bz-?score(?:\s+of)?))\s*(?=[$+\-−\dU])", re.I)

# Candidate starts for .scan._finditer: each matches wherever its pattern above can start a match.
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
        if suffix in ("%", "percent", "per cent", "percent", "pct", "pp") or suffix.startswith("per"):
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
