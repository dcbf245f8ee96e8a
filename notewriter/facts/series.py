"""Daily series a fund note's charts draw: a year of closes with their moving average, and the last three
months of daily flows and share counts, each cut at the note's date (nothing dated later is read).

They are facts of the document like any other (typed, with their source), but they are left out of the JSON
facts document: a prose number must trace to a named fact, not to whichever day's close happens to equal it.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from .models import MA_SESSIONS, ChartSeries, DailySeries

FLOW_SESSIONS = 63    # about three months of daily flows


def _values(a: np.ndarray) -> tuple[float | None, ...]:
    return tuple(x if ok else None for x, ok in zip(a.tolist(), np.isfinite(a).tolist()))


def _dates(sessions: pd.DatetimeIndex) -> tuple[date, ...]:
    return tuple(sessions.date.tolist())


def chart_series(panel, ticker: str, i: int, range_weeks: int, price_src: str, shares_src: str,
                 flows_src: str) -> ChartSeries:
    """The series of `ticker` as known at panel row `i` (the note's session)."""
    j = panel.tcol[ticker]
    as_of = panel.sessions[i]
    lo = int(panel.sessions.searchsorted(as_of - pd.Timedelta(weeks=range_weeks), side="right"))
    # closes in today's share basis, as the 52-week range is: a close before a split scales by its ratio
    close = panel.close[:i + 1, j] * panel.cumsplit[:i + 1, j] / panel.cumsplit[i, j]
    valid = np.isfinite(close)
    ma = np.full(i + 1, np.nan)
    rows = np.flatnonzero(valid)
    if len(rows) >= MA_SESSIONS:
        csum = np.cumsum(close[rows])
        means = (csum[MA_SESSIONS - 1:] - np.concatenate(([0.0], csum[:-MA_SESSIONS]))) / MA_SESSIONS
        ma[rows[MA_SESSIONS - 1:]] = means
    year = slice(lo, i + 1)
    days = _dates(panel.sessions[year])
    closes = DailySeries(name="close", unit="price", source=price_src, dates=days, values=_values(close[year]))
    avg = DailySeries(name=f"{MA_SESSIONS}-session average", unit="price", source=price_src, dates=days,
                      values=_values(ma[year]))
    kw: dict = {}
    f = panel.fcol.get(ticker)
    if f is not None:
        recent = slice(max(i + 1 - FLOW_SESSIONS, 0), i + 1)
        fdays = _dates(panel.sessions[recent])
        if np.isfinite(panel.est_flow[recent, f]).any():
            kw["flows_est"] = DailySeries(name="estimated flow", unit="usd", source=shares_src, dates=fdays,
                                          values=_values(panel.est_flow[recent, f]))
        if np.isfinite(panel.vendor[recent, f]).any():
            kw["flows_vendor"] = DailySeries(name="vendor flow", unit="usd", source=flows_src, dates=fdays,
                                             values=_values(panel.vendor[recent, f]))
        if np.isfinite(panel.shares[recent, f]).any():
            kw["shares"] = DailySeries(name="shares outstanding", unit="shares", source=shares_src, dates=fdays,
                                       values=_values(panel.shares[recent, f]))
    return ChartSeries(closes=closes, ma=avg, **kw)
