"""A fund's scored record as facts a note may cite: after earlier large flows like this one, how the price went.

The record a note as of D cites is scored as of D: only calls made before D whose horizon ended by D, priced
from rows dated on or before D, so a note with a record is as point in time as one without.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..config import Rules
from ..facts.build import _FactMaker, _iso
from ..facts.models import FundFacts, TrackRecord
from ..sources.base import Source
from ..verdicts import fund_verdicts
from .calls import HORIZONS
from .prices import PriceBook
from .score import Outcome, outcomes
from .store import open_record


def horizon(rules: Rules) -> int:
    """The record's horizon: the base rate's last (six weeks, 30 sessions) when the calls are scored there."""
    h = 5 * rules.reversal_max_weeks
    return h if h in HORIZONS else max(HORIZONS)


def _counted(items: list[Outcome], h: int) -> list[Outcome]:
    return [o for o in items if o.horizon == h and o.independent]


# The last store read, for the next note of the same batch: (path, modified, date) -> (source, calls, prices)
_LAST: dict = {}


def _signals_and_prices(store_path: str | Path, source: Source, as_of: date) -> tuple[list, PriceBook]:
    """The store's flow-signal calls made before `as_of`, and the prices known at `as_of`: read once for all
    the notes of one date from one source (a batch), not again for every note."""
    path = Path(store_path)
    try:
        key = (str(path.resolve()), path.stat().st_mtime_ns, as_of)
    except OSError:
        key = None  # no such file: open_record says so
    hit = _LAST.get(key) if key is not None else None
    if hit is not None and hit[0] is source:
        return hit[1], hit[2]
    with open_record(store_path, source) as store:
        calls = [c for c in store.calls(until=as_of, call_type="flow_signal") if c.as_of < as_of]
    book = PriceBook(source, as_of)
    _LAST.clear()
    _LAST[key] = (source, calls, book)
    return calls, book


def track_record(store_path: str | Path, source: Source, facts: FundFacts, rules: Rules | None = None
                 ) -> TrackRecord | None:
    """The fund's record of large flows in the note's direction (its category's when the fund has too few
    cases), or None when neither has `Rules.base_rate_min_events` cases."""
    rules = rules or Rules()
    direction = fund_verdicts(facts, rules).direction
    as_of: date = facts.as_of
    signals, book = _signals_and_prices(store_path, source, as_of)  # a bad or foreign store is exit 2 regardless
    if direction not in ("inflow", "outflow"):
        return None
    want = "up" if direction == "inflow" else "down"
    h = horizon(rules)
    calls = [c for c in signals if c.window == facts.window and c.direction == want]
    category = facts.identity.category
    for scope, chosen in (("fund", [c for c in calls if c.ticker == facts.ticker]),
                          ("category", [c for c in calls if category and c.category == category])):
        items, _ = outcomes(chosen, book, as_of, (h,))
        counted = _counted(items, h)
        if len(counted) < rules.base_rate_min_events:
            continue
        rev = sum(1 for o in counted if (o.ret < 0 if want == "up" else o.ret > 0))
        F = _FactMaker(facts.ticker if scope == "fund" else None, as_of)
        src = f"track store {Path(store_path).name}"
        inputs = ("track_calls", "Open", "Close")
        return TrackRecord(
            scope=scope, direction=direction,
            since=F(_iso(min(o.call.as_of for o in counted)), "date", src),
            horizon_sessions=F(h, "count", "config"),
            cases=F(len(counted), "count", src, inputs=inputs),
            reversals=F(rev, "count", src, inputs=inputs),
            reversal_share=F(rev / len(counted), "pct", "derived", inputs=("track_record.reversals",
                                                                             "track_record.cases")))
    return None


def with_track_record(facts: FundFacts, store_path: str | Path | None, source: Source,
                      rules: Rules | None = None) -> FundFacts:
    """The facts with the fund's record added (unchanged without a store or a record)."""
    if store_path is None:
        return facts
    record = track_record(store_path, source, facts, rules)
    return facts if record is None else facts.model_copy(update={"track_record": record})
