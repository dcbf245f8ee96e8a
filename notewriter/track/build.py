"""`track build`: the calls of every fund for every session (or week, or month) of a range, point in time.

The universe's tables are read once; for each date the panel is cut at that date (no row dated later is
read), every fund's facts are built from it and its note composed, and the calls the note states (its
document's `calls`) are recorded. A fund
without a price on the date makes no call that day; a fund whose data cannot be read is counted as failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from importlib.metadata import PackageNotFoundError, version
from typing import Callable

import pandas as pd

from .. import calendar
from ..compose import compose
from ..config import Rules
from ..errors import NotewriterError, UsageError
from ..facts.build import build_facts
from ..facts.panel import panel_for
from ..sources.base import Source
from .calls import Call, recorded
from .prices import entry_basis
from .store import TrackStore, data_of

TRACK_WINDOWS = ("1d", "1w", "1m")


def generator() -> str:
    try:
        return f"notewriter {version('notewriter')}"
    except PackageNotFoundError:
        return "notewriter (source tree)"


def call_dates(start: date, end: date, window: str) -> list[pd.Timestamp]:
    """Every session from `start` to `end` (1d), or the last session of each week (1w) or month (1m)."""
    if window not in TRACK_WINDOWS:
        raise UsageError(f"unknown window {window!r} for a track record; expected one of {', '.join(TRACK_WINDOWS)}")
    if end < start:
        raise UsageError(f"--from {start} is after --to {end}")
    s = calendar.sessions()
    days = s[(s >= pd.Timestamp(start)) & (s <= pd.Timestamp(end))]
    if window == "1d" or not len(days):
        return list(days)
    period = days.to_period("W-FRI" if window == "1w" else "M")
    last = pd.Series(days, index=period).groupby(level=0).max()
    # a week or month cut off by the range's end is called on its last session in the range
    return list(pd.DatetimeIndex(last.to_numpy()))


@dataclass
class BuildResult:
    dates: int = 0
    calls: int = 0
    notes: int = 0
    failed: dict[str, str] = field(default_factory=dict)   # fund -> its first error


def calls_for_date(source: Source, day: pd.Timestamp, window: str, benchmark: str, rules: Rules,
                   result: BuildResult, entries: dict[str, str]) -> list[Call]:
    """The calls of every fund's note as of `day`, from the panel cut at `day`."""
    panel = panel_for(source, day)
    out: list[Call] = []
    for ticker in panel.listed_funds:
        try:
            panel.check_ticker(ticker)
            j = panel.tcol[ticker]
            if panel.lp[-1, j] < 0 or panel.sessions[int(panel.lp[-1, j])] != day:
                continue  # no price on the day: the fund makes no call
            facts = build_facts(ticker, day, window, source, settings=rules, panel=panel)
            doc = compose(facts, "fund", rules=rules)
            if ticker not in entries:
                entries[ticker] = entry_basis(source, ticker, day.date())
            out.extend(recorded(doc, benchmark, entries[ticker]))
            result.notes += 1
        except NotewriterError as err:
            result.failed.setdefault(ticker, str(err))
    return out


def build_track(source: Source, store: TrackStore, start: date, end: date, window: str = "1w",
                benchmark: str = "SPY", rules: Rules | None = None,
                progress: Callable[[int, int], None] | None = None) -> BuildResult:
    """Record the calls of every fund for each date of the range; returns what was done."""
    rules = rules or Rules()
    if benchmark != "category" and not source.has_prices(benchmark):
        raise UsageError(f"benchmark {benchmark} has no prices in {getattr(source, 'root', source.label)}; "
                         "name another with --benchmark, or 'category' for the category's other funds")
    days = call_dates(start, end, window)
    result = BuildResult()
    entries: dict[str, str] = {}
    gen = generator()
    where = data_of(source)
    recorded = {k: store.meta(k) for k in ("data", "benchmark")}
    if recorded["data"] not in (None, where) or recorded["benchmark"] not in (None, benchmark):
        raise UsageError(f"track store {store.path} holds calls made from {recorded['data']} against "
                         f"{recorded['benchmark']}; this build reads {where} against {benchmark}: "
                         "write it to another store")
    store.set_meta(data=where, benchmark=benchmark)
    for k, day in enumerate(days):
        calls = calls_for_date(source, day, window, benchmark, rules, result, entries)
        result.calls += store.put_calls(calls, gen)
        result.dates += 1
        if progress is not None:
            progress(k + 1, len(days))
    if days:
        store.add_run(where, days[0].date(), days[-1].date(), window, result.dates, result.calls,
                      len(result.failed))
    return result
