"""Sentences for a note when cached yfinance data ends before its date or its fund data is old."""

from __future__ import annotations

import os
from datetime import date

import pandas as pd

from notewriter import calendar
from notewriter.sources.yfinance.query import normalize_ticker

from .layout import resolve_cache_dir
from .manifest import entry_of, parse_time, read_manifest

#: fund data fetched more than this many days before a note's as_of is called old
STALE_AFTER_DAYS = 7


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def staleness(cache_dir: str | os.PathLike, ticker: str, as_of: date) -> str | None:
    """A sentence when cached yfinance data for ``ticker`` ends before ``as_of``'s last session,
    or its fund data was fetched more than a week before ``as_of``; None when it is current
    (or the ticker's data did not come from a fetch)."""
    ticker = normalize_ticker(ticker)
    manifest = read_manifest(resolve_cache_dir(cache_dir))
    as_of = pd.Timestamp(as_of).date()
    parts = []
    prices = entry_of(manifest, ticker, "prices")
    if prices.get("last_date"):
        last = date.fromisoformat(prices["last_date"])
        session = calendar.session_on_or_before(as_of).date()
        if last < session:
            behind = len(calendar.sessions_between(last, session))
            parts.append(f"ends on {last.isoformat()}, {_plural(behind, 'trading session')} before the "
                         f"{session.isoformat()} session")
    info = entry_of(manifest, ticker, "info")
    fetched = parse_time(info.get("fetched_at"))
    if fetched is not None:
        age = (as_of - fetched.date()).days
        if age > STALE_AFTER_DAYS:
            parts.append(f"has fund data (NAV, assets, holdings) fetched on {fetched.date().isoformat()}, "
                         f"{_plural(age, 'day')} before {as_of.isoformat()}")
    if not parts:
        return None
    return f"The yfinance cache for {ticker} " + ", and ".join(parts) + "."
