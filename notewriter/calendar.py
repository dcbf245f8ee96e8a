"""Trading sessions from a real exchange calendar (NYSE), loaded once: the one home of session arithmetic."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd


def _cache_file(exchange: str) -> Path | None:
    """Where the session list is kept between runs: keyed by exchange, calendar version and month,
    so new holiday rules or the calendar's rolling end date are picked up."""
    try:
        from importlib.metadata import version

        calendar_version = version("exchange_calendars")
    except Exception:  # not installed as a distribution: no cache
        return None
    from .config import user_cache_dir

    month = date.today().strftime("%Y-%m")
    return user_cache_dir("calendar") / f"{exchange}-{calendar_version}-{month}.npy"


def _calendar(exchange: str):
    """The exchange_calendars calendar (the package caches the instance per exchange and arguments)."""
    import exchange_calendars as xcals

    return xcals.get_calendar(exchange, start="1995-01-03")


@lru_cache(maxsize=4)
def sessions(exchange: str = "XNYS") -> pd.DatetimeIndex:
    """Every session of `exchange` from 1995 to a year ahead, as naive midnight timestamps.

    Importing the calendar package and building the calendar takes most of a second, so the
    result is cached on disk; the cache is only ever a copy of what the package computes."""
    path = _cache_file(exchange)
    if path is not None and path.is_file():
        try:
            return pd.DatetimeIndex(np.load(path).astype("datetime64[ns]"))
        except (OSError, ValueError):
            pass
    out = pd.DatetimeIndex(_calendar(exchange).sessions).tz_localize(None)
    if path is not None:
        try:
            import io

            from .files import write_atomic

            buf = io.BytesIO()
            np.save(buf, out.to_numpy().astype("datetime64[ns]"))
            write_atomic(path, buf.getvalue())
        except OSError:
            pass  # a read-only cache folder only costs the next run the same second
    return out


def is_session(day: date | pd.Timestamp, exchange: str = "XNYS") -> bool:
    return pd.Timestamp(day) in sessions(exchange)


def session_on_or_before(day: date | pd.Timestamp, exchange: str = "XNYS") -> pd.Timestamp:
    all_sessions = sessions(exchange)
    i = all_sessions.searchsorted(pd.Timestamp(day), side="right") - 1
    return all_sessions[max(i, 0)]


def sessions_between(start, end, exchange: str = "XNYS") -> pd.DatetimeIndex:
    """Sessions in the half-open interval (start, end]."""
    all_sessions = sessions(exchange)
    lo = all_sessions.searchsorted(pd.Timestamp(start), side="right")
    hi = all_sessions.searchsorted(pd.Timestamp(end), side="right")
    return all_sessions[lo:hi]


def last_closed_session(now: datetime, exchange: str = "XNYS") -> date:
    """The latest session whose close (early closes included) is at or before `now` (naive = UTC)."""
    moment = pd.Timestamp(now)
    moment = moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")
    cal = _calendar(exchange)
    day = session_on_or_before(moment.tz_convert(cal.tz).date(), exchange)
    while cal.session_close(day) > moment:
        day = cal.previous_session(day)
    return day.date()
