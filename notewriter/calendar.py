"""Trading sessions from a real exchange calendar (NYSE), loaded once."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import pandas as pd


@lru_cache(maxsize=4)
def sessions(exchange: str = "XNYS") -> pd.DatetimeIndex:
    """Every session of `exchange` from 1995 to a year ahead, as naive midnight timestamps."""
    import exchange_calendars as xcals

    calendar = xcals.get_calendar(exchange, start="1995-01-03")
    return pd.DatetimeIndex(calendar.sessions).tz_localize(None)


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
