"""What a number measures: the metric, period, comparison and rank words around it, and the facts they fit.

The words are read from declarative tables (extend them here, nowhere else):

- `PERIODS`: words naming the span a figure covers ("this week", "year to date", "on the day", "52-week",
  "over 10 sessions") -> a period;
- `METRICS`: words naming what a figure measures ("percentile", "of assets", "realized volatility",
  "shares outstanding", "times ... volume") -> the metrics (claim metrics, see notewriter/claims.py) they can
  name;
- `UNITS`: the unit word right after a count ("20 sessions", "50 weeks") -> the metrics counted in it;
- `COMPARISONS`: words that state how a figure relates to a threshold ("short of", "past") -> the sign the
  figure must have;
- `RANKS`: superlatives and rank words ("the largest weekly outflow in its last 50 weeks", "topping the
  leaderboard") -> the fact that must back them;
- `THRESHOLDS`: configuration values (thresholds, horizons) and the words that must be in the sentence for a
  number to state them.

What a fact measures comes from its claim (metric and period) when the document lists claims, and
otherwise from the same mapping notewriter/claims.py uses to build claims from fact paths; `READINGS`
adjusts a few (levels that are not over a period, the window price change). A word the tables do not know
is not an error; a known word that does not fit the matched fact is.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

from .. import claims as claims_mod
from .scan import DIGIT, _ascii_folded, _first_chars, _lowered_source, _top_alternatives

# ---- periods -------------------------------------------------------------------------------------

# Normalised period names: the window labels of claims, the trailing spans, "N sessions", "Nw" (N weeks).
_LABELS = {"1d": "day", "day": "day", "1w": "week", "1m": "month", "3m": "quarter", "ytd": "ytd"}
_SAME = {"week": {"week", "5 sessions"}, "day": {"day", "1 sessions"}, "month": {"month"},
         "quarter": {"quarter"}, "ytd": {"ytd"}}

_NOT_END = r"(?![-\w]*end)(?!s\b)"  # "month-end", "quarter-end" and plurals name no period
PERIODS: tuple[tuple[str, str], ...] = (
    # the phrase (a regular expression, case ignored)          -> the period it names ({n}: its number)
    (r"on the day|in the (?:last|latest) session|last session|today|same day|one-day|1-day|single session"
     r"|the session", "day"),
    (r"year[- ]to[- ]date|YTD|so far this year|this year|the year to|same year|since the start of the year",
     "ytd"),
    (r"(?:this|the|a|past|last|latest|same|prior|previous) week" + _NOT_END + r"|over the week|one-week|1-week"
     r"|weekly|week's|five sessions", "week"),
    (r"(?:this|the|a|past|last|latest|same|prior|previous) month" + _NOT_END + r"|one-month|1-month|monthly"
     r"|month's|30-day", "month"),
    (r"(?:this|the|a|past|last|latest|same|prior|previous) quarter" + _NOT_END + r"|three-month|3-month"
     r"|quarterly|quarter's", "quarter"),
    (r"(?P<n>\d+)[- ]week(?!s\b)|after (?P<n2>\d+)(?: weeks?)?", "{n}w"),
    (r"(?<!last )(?<!past )(?<!trailing )(?P<n>\d+)(?:[- ](?:trading[- ])?)(?:sessions?|days?)(?![- ](?:average|ADV))",
     "{n} sessions"),
)

# ---- metrics -------------------------------------------------------------------------------------

_FLOW_PCT = {"flow_pct_of_aum", "flow_pct", "stress_pct", "weight", "shares_change_pct",
             "sectors"}
_VOLUME = {"flow_adv_multiple", "adv_usd", "adv_sessions"}
_RETURNS = {"ytd_price_return", "ytd_total_return", "window_price_return", "day_price_return", "forward_return", "median_fwd_2w",
            "median_fwd_6w", "price_momentum", "ret"}
_FLOWS = {"flow_usd", "vendor_flow_usd", "net_usd", "ytd_flow_usd", "ytd_flows_usd", "basket_flow_usd", "flow_pct",
          "flow_pct_of_aum", "flow_adv_multiple", "shares_change", "shares_change_pct", "threshold_usd",
          "threshold_in", "threshold_out", "cum_10d_usd", "flow_usd"}
METRICS: tuple[tuple[str, frozenset[str]], ...] = tuple((p, frozenset(m)) for p, m in (
    (r"net (?:flows?|inflows?|outflows?|redemptions|creations)", _FLOWS),
    (r"last (?:trade|traded at|close)|closed at|trades at", {"close"}),
    (r"(?:\d+-day )?average daily (?:dollar )?(?:volume|trading)|(?:\d+-day )?average (?:dollar )?volume"
     r"|\d+-day ADV|ADV|of (?:daily )?(?:dollar )?volume|daily trading|of trading a day|a day", _VOLUME),
    (r"of (?:its |the fund's |the fund |a fund's |a fund )?(?:assets|AUM|net assets)|of (?:a|the) fund(?!['\u2019])",
     _FLOW_PCT),
    (r"in assets|assets under management|in AUM", {"aum_usd"}),
    (r"percentile", {"percentile"}),
    (r"z-?score|standard deviations?|sigma", {"z_score"}),
    (r"shares outstanding|share count|units outstanding", {"shares_change", "shares_change_pct", "shares_start",
                                                          "shares_end", "flow_pct"}),  # flow_pct: on that basis
    (r"expense ratio|fees?", {"expense_ratio"}),
    (r"(?:realized )?volatility", {"realized_vol"}),
    (r"momentum", {"price_momentum"}),
    (r"median return", {"median_fwd_2w", "median_fwd_6w"}),
    (r"with dividends reinvested|total return", {"ytd_total_return"}),
    (r"on price|price return", _RETURNS - {"ytd_total_return"}),
    (r"(?:price )?returns?", _RETURNS),
    (r"in a row|consecutive|straight", {"streak_sessions"}),
    (r"earlier (?:weeks|months|sessions|days)|of them", {"events", "reversals"}),
    (r"(?:\d+-week )?high", {"off_high_pct", "high_52w"}),
    (r"(?:\d+-week )?low", {"low_52w"}),
    (r"(?:\d+-week )?range", {"low_52w", "high_52w"}),
))
# Every metric some metric word names: a word contradicts only facts of these metrics.
KNOWN_METRICS = frozenset().union(*(m for _, m in METRICS), {"stress_gap_pp"})

# The unit word right after a count -> the counted metrics it may state ("window": the note's window noun).
_SESSIONS = {"window_sessions", "vendor_sessions", "adv_sessions", "stress_sessions", "history_sessions",
             "stale_after_sessions", "streak_sessions", "flow_days"}
_WEEKS = {"range_weeks", "reversal_min_weeks", "reversal_max_weeks"}
UNITS: tuple[tuple[str, str], ...] = (("sessions?|days?", "session"), ("weeks?", "week"), ("months?", "month"))
UNIT_METRICS = {"session": _SESSIONS, "week": _WEEKS, "month": set()}
WINDOW_COUNTS = {"lookback_windows"}   # counted in the note's window: weeks for a weekly note
_WINDOW_UNITS = {"1d": "session", "1w": "week", "1m": "month", "ytd": "year"}
_UNIT_AFTER = re.compile(r"[- ](?:trading[- ]|earlier[- ])?(sessions?|days?|weeks?|months?)\b", re.I)

# ---- comparisons and ranks -----------------------------------------------------------------------

# (words, metrics they apply to, the sign the figure must have, what the words say)
COMPARISONS: tuple[tuple[str, frozenset[str], int, str], ...] = (
    (r"short of it|shy of it|short of the stress level|within(?= [\d.]+(?:%| percentage points?) of it)", frozenset({"stress_gap_pp"}), +1,
     "the threshold is not reached"),
    (r"past it|beyond it|through it|past the stress level|over the stress level", frozenset({"stress_gap_pp"}), -1,
     "the threshold is crossed"),
)
# (words, rule): "largest" needs the history's largest-same-sign flag (and the flow's direction), "smallest"
# is never a fact, "top" needs rank 1 on the leaderboard.
RANKS: tuple[tuple[str, str], ...] = (
    (r"largest|biggest|record|heaviest|strongest", "largest"),
    (r"smallest|lightest|weakest", "smallest"),
    (r"topping the leaderboard|tops? the leaderboard|led (?:the )?(?:inflows|outflows|leaderboard)"
     r"|ranked (?:first|1st|No\. ?1)|leads? (?:the )?(?:inflows|outflows|leaderboard)|at the top of the leaderboard",
     "top"),
)

# ---- thresholds ----------------------------------------------------------------------------------

# A configuration value states its threshold only where its clause speaks of it: (the words around the
# number, {n} standing for it as written; words anywhere in its clause). Both must be found when given.
THRESHOLDS: dict[str, tuple[str | None, str | None]] = {
    "range_weeks": (r"{n}[- ]weeks?\b", None),
    "adv_sessions": (r"{n}[- ](?:trading[- ])?(?:days?|sessions?)\b", r"average|a day|daily|ADV|volume|trading"),
    "history_sessions": (r"{n}[- ](?:trading[- ])?(?:days?|sessions?)\b", None),
    "stress_pct": (None, r"stress|level|threshold|watch"),
    "stress_sessions": (r"{n}[- ](?:trading[- ])?(?:days?|sessions?)\b", r"stress|spiral|redemptions?|net flows"),
    "reversal_min_weeks": (r"{n}\s*(?:–|-|to)\s*\d+\s+weeks|after {n} weeks|{n} weeks later", None),
    "reversal_max_weeks": (r"\d+\s*(?:–|-|to)\s*{n}\s+weeks|after {n}\b|{n} weeks later", None),
    "stale_after_sessions": (r"{n}[- ](?:trading[- ])?(?:days?|sessions?)\b", None),
    "leaderboard_size": (None, r"top|leaderboard|largest|funds"),
}
_threshold_cache: dict[tuple[str, str], tuple[re.Pattern | None, re.Pattern | None]] = {}


def threshold_spoken(key: str, number: str, clause: str) -> bool:
    """Whether the clause speaks of the threshold `key` at the number written `number`."""
    if key not in THRESHOLDS:
        return True
    rx = _threshold_cache.get((key, number))
    if rx is None:
        near, words = THRESHOLDS[key]
        rx = (re.compile(near.replace("{n}", re.escape(number)), re.I) if near else None,
              re.compile(words, re.I) if words else None)
        _threshold_cache[(key, number)] = rx
    return all(r is None or r.search(clause) for r in rx)


# ---- what a fact measures ------------------------------------------------------------------------

# metric -> period it is read over, when it differs from the claim's: None for levels (a price, a weight, a
# size) that are not a change over a period; "window" for the note's window.
READINGS: dict[str, str | None] = {
    "close": None, "weight": None, "basket_flow_usd": None, "last_date": None, "aum_usd": None,
    "expense_ratio": None, "adv_usd": None, "sectors": None, "window_price_return": "window",
    "threshold_usd": "window", "median_fwd_2w": "2w", "median_fwd_6w": "6w",
}


@dataclass(frozen=True)
class Reading:
    """What one fact measures: its metric and period (normalised), and the words for messages."""

    metric: str
    period: str | None
    covers: str = ""


def _norm(label: str | None) -> str | None:
    if label is None:
        return None
    if label in _LABELS:
        return _LABELS[label]
    m = re.fullmatch(r"(\d+)w", label)
    return f"{m.group(1)}w" if m else label


def _describe(label: str, start, end) -> str:
    if start and end:
        return f"the {label} window {start}..{end}"
    if end:
        return f"the {label} span to {end}"
    return f"the {label} span"


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _date_text(node) -> str | None:
    """The value of a date fact, when it is an ISO date (anything else in a document says no date)."""
    value = node.get("value") if isinstance(node, dict) else None
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        return None
    try:
        date.fromisoformat(value)
    except ValueError:
        return None
    return value


def _window_of(doc: dict) -> tuple[str | None, str | None, str | None]:
    """The document's window label, start and end; parts of the wrong type count as missing."""
    facts = doc.get("facts") if isinstance(doc.get("facts"), dict) else {}
    flow = facts.get("flow") if isinstance(facts.get("flow"), dict) else {}
    window = _text(doc.get("window")) or _text(facts.get("window")) or _text(flow.get("window"))
    start = _date_text(facts.get("start")) or _date_text(flow.get("start"))
    end = _date_text(facts.get("end")) or _date_text(flow.get("end"))
    return window or _window_from_dates(start, end), start, end


def _claims_of(doc: dict) -> dict[str, dict]:
    """The document's claims by id, each with a text metric and a period of text parts (or none)."""
    claims = {}
    for c in doc.get("claims") if isinstance(doc.get("claims"), list) else ():
        if not isinstance(c, dict) or not _text(c.get("id")):
            continue
        period = c.get("period") if isinstance(c.get("period"), dict) else None
        claims[c["id"]] = {"metric": _text(c.get("metric")),
                           "period": {k: _text(period.get(k)) for k in ("label", "start", "end")} if period else None}
    return claims


def readings(doc: dict, paths: list[str]) -> dict[str, Reading]:
    """path -> Reading for the facts of a facts document (or a note's JSON, whose `claims` are used)."""
    window, start, end = _window_of(doc)
    claims = _claims_of(doc)
    win = {"label": window or "window", "start": start, "end": end}
    out: dict[str, Reading] = {}
    periods: dict[str, tuple] = {}    # generic path -> (label, start, end): the same for every fund's copy
    for path in paths:
        cid = path[len("facts."):] if path.startswith("facts.") else path
        claim = claims.get(cid)
        if claim is not None:
            metric = claim.get("metric") or cid.rsplit(".", 1)[-1]
            period = claim.get("period") or None
            label, p0, p1 = (period or {}).get("label"), (period or {}).get("start"), (period or {}).get("end")
        else:
            generic = claims_mod._generic(cid)
            metric = claims_mod._METRICS.get(generic, generic.rsplit(".", 1)[-1])
            if generic not in periods:
                period = claims_mod._period(generic, SimpleNamespace(as_of=None), win)
                periods[generic] = (period.label if period else None,
                                    period.start.isoformat() if period and period.start else None,
                                    period.end.isoformat() if period and period.end else (end if period else None))
            label, p0, p1 = periods[generic]
        if label == "window":
            label = None          # a window the document does not name: its words cannot contradict it
        if metric in READINGS:
            override = READINGS[metric]
            if override is None:
                label = None
            elif override == "window":
                label, p0, p1 = window, start, end
            else:
                label, p0, p1 = override, None, None
        out[path] = Reading(metric, _norm(label), _describe(label, p0, p1) if label else "")
    return out


def _window_from_dates(start, end) -> str | None:
    """A document that does not name its window: the window its start and end dates span."""
    try:
        a, b = date.fromisoformat(str(start)[:10]), date.fromisoformat(str(end)[:10])
    except (TypeError, ValueError):
        return None
    days = (b - a).days
    if days <= 1:
        return "1d"
    if days <= 9:
        return "1w"
    if days <= 35:
        return "1m"
    return "ytd" if a.month == 1 and a.day <= 7 else None


def window_unit(doc: dict) -> str | None:
    return _WINDOW_UNITS.get(_window_of(doc)[0])


# ---- the words of a text -------------------------------------------------------------------------

_FAMILIES = (("period", PERIODS), ("metric", METRICS), ("compare", COMPARISONS), ("rank", RANKS))


def _cue_pattern() -> tuple[re.Pattern, re.Pattern, dict[str, tuple[str, int]]]:
    """The cue words as one pattern ignoring case (the reference), the same words as a pattern for
    `.scan._ascii_folded` text, and the (family, row) of each group that marks a match of the first, g0,
    g1, ..., or of the second.

    Ignoring case costs more than the rest of the scan, so the fast pattern respects case on folded text.
    It also sorts the alternatives of every row by the characters they can start with, behind one
    lookahead per character, in their order within the table: at any position only the alternatives that
    can start there are tried, in the order the reference tries them, so the first to match is the same.
    Each alternative ends with an empty group naming it (a group around it would keep the engine from
    rejecting it on its first character)."""
    alts, names = [], {}
    occurrences: list[tuple[str, str, tuple[str, int]]] = []   # (lowered alternative, source, family/row)
    for family, table in _FAMILIES:
        for i, row in enumerate(table):
            g = f"g{len(names)}"
            body = row[0].replace("(?P<n>", f"(?P<{g}n>").replace("(?P<n2>", f"(?P<{g}m>")
            alts.append(f"(?P<{g}>{body})")
            names[g] = (family, i)
            occurrences += [(_lowered_source(alt), alt, (family, i)) for alt in _top_alternatives(row[0])]
    rx = re.compile(r"(?<![\w-])(?:" + "|".join(alts) + r")(?![\w])", re.I)

    by_first: dict[str, list[int]] = {}
    for k, (alt, _, _) in enumerate(occurrences):
        first = _first_chars(alt)
        if first is None:
            raise ValueError(f"cannot tell which characters the cue words {alt!r} start with")
        for ch in first:
            by_first.setdefault(ch, []).append(k)
    branches = []
    for ch, ks in sorted(by_first.items()):
        parts = []
        for k in ks:
            o = f"o{k}_{len(branches)}"
            names[o] = occurrences[k][2]
            body = occurrences[k][0].replace("(?P<n>", f"(?P<{o}n>").replace("(?P<n2>", f"(?P<{o}m>")
            parts.append(f"(?:{body})(?P<{o}>)")
        look = r"\d" if ch == DIGIT else re.escape(ch)
        branches.append(f"(?={look})(?:{'|'.join(parts)})")
    folded = re.compile(r"(?<![\w-])(?:" + "|".join(branches) + r")(?![\w])")
    return rx, folded, names


_CUES, _CUES_FOLDED, _CUE_NAMES = _cue_pattern()


@dataclass(frozen=True)
class Cue:
    start: int
    end: int
    family: str
    row: int
    text: str
    n: str | None = None


_UNSET = object()


class Cues:
    """The meaning words of a whole text, for the nearest-word lookup per number."""

    def __init__(self, scan: str, folded: str | None | object = _UNSET):
        """`folded`: `.scan._ascii_folded(scan)`, when the caller has it already."""
        self.cues: list[Cue] = []
        if folded is _UNSET:
            folded = _ascii_folded(scan)
        rx, text = (_CUES_FOLDED, folded) if folded is not None else (_CUES, scan)
        groups = rx.groupindex
        for m in rx.finditer(text):
            g = m.lastgroup
            family, row = _CUE_NAMES[g]
            n = None
            for name in (g + "n", g + "m"):
                if name in groups and m.start(name) >= 0:
                    n = scan[m.start(name):m.end(name)]
                    break
            a, b = m.span()
            self.cues.append(Cue(a, b, family, row, scan[a:b], n))
        self.starts = [c.start for c in self.cues]
        self.scan = scan

    def near(self, a: int, b: int, start: int, end: int, prev_end: int | None = None,
             next_start: int | None = None) -> dict[str, Cue]:
        """The nearest cue of each family overlapping the scope [a, b) of the number at [start, end), leaving
        out cues that hold the number itself (those are its unit, read apart) and cues between it and a
        neighbouring number (ending at `prev_end`, starting at `next_start`) that lie nearer that number."""
        out: dict[str, tuple[int, Cue]] = {}
        i = max(0, bisect.bisect_left(self.starts, a) - 3)
        cues = self.cues
        # indexes, not a slice to the end: slicing would copy the rest of the text's cues for every number
        for k in range(i, len(cues)):
            c = cues[k]
            if c.start >= b:
                break
            if c.end <= a or (c.start <= start and end <= c.end) or (c.start < end and start < c.end):
                continue
            dist = start - c.end if c.end <= start else c.start - end
            if c.end <= start and prev_end is not None and prev_end <= c.start and c.start - prev_end < dist:
                continue
            if c.start >= end and next_start is not None and c.end <= next_start and next_start - c.end < dist:
                continue
            best = out.get(c.family)
            if best is None or dist < best[0]:
                out[c.family] = (dist, c)
        return {k: v[1] for k, v in out.items()}


def period_of(cue: Cue) -> str:
    label = PERIODS[cue.row][1]
    return label.format(n=cue.n) if "{n}" in label else label


def period_fits(cue_period: str, fact_period: str | None) -> bool:
    if fact_period is None:
        return True
    return cue_period == fact_period or cue_period in _SAME.get(fact_period, ())


def metric_fits(cue: Cue, metric: str) -> bool:
    return metric not in KNOWN_METRICS or metric in METRICS[cue.row][1]


def unit_after(scan: str, end: int) -> str | None:
    m = _UNIT_AFTER.match(scan, end, end + 24)
    if not m:
        return None
    word = m.group(1).lower()
    for pattern, unit in UNITS:
        if re.fullmatch(pattern, word):
            return unit
    return None


def unit_fits(unit: str, metric: str, window_unit: str | None) -> bool:
    if metric in WINDOW_COUNTS:
        return window_unit is None or unit == window_unit or (unit == "session" and window_unit == "session")
    counted = [u for u, metrics in UNIT_METRICS.items() if metric in metrics]
    return not counted or unit in counted


