"""What to ask Yahoo Finance for: validated tickers, date ranges and the calls' arguments (pure).

Each query object is frozen and knows the keyword arguments of the one yfinance call it stands for;
a `TickerPlan` says which kinds of data to fetch for one ticker and from which session on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from notewriter.errors import UsageError

#: quote types that are funds (fund info, top holdings and share counts are fetched)
FUND_TYPES = frozenset({"ETF", "MUTUALFUND"})
#: seconds yfinance waits for one price request (history/download accept a timeout)
REQUEST_TIMEOUT = 10.0

_TICKER_RE = re.compile(r"^[A-Z0-9^][A-Z0-9.\-=^]{0,19}$")


def normalize_ticker(ticker: str) -> str:
    """Upper-case and validate a Yahoo symbol (SPY, BRK-B, ^GSPC); UsageError otherwise."""
    sym = str(ticker).strip().upper()
    if not _TICKER_RE.match(sym):
        raise UsageError(f"{ticker!r} is not a valid ticker symbol (letters, digits, '.', '-', '^', '=')")
    return sym


def _iso(d: date | None) -> str | None:
    return None if d is None else pd.Timestamp(d).date().isoformat()


@dataclass(frozen=True)
class PriceQuery:
    """Daily prices for one ticker: ``Ticker(ticker).history(**kwargs())``."""

    ticker: str
    start: date
    end: date | None = None  # exclusive, as in yfinance
    timeout: float = REQUEST_TIMEOUT

    def kwargs(self) -> dict:
        kw = {"start": _iso(self.start), "auto_adjust": False, "actions": True, "timeout": self.timeout}
        if self.end is not None:
            kw["end"] = _iso(self.end)
        return kw


@dataclass(frozen=True)
class SharesQuery:
    """Shares outstanding for one ticker: ``Ticker(ticker).get_shares_full(**kwargs())``."""

    ticker: str
    start: date
    end: date | None = None

    def kwargs(self) -> dict:
        kw = {"start": _iso(self.start)}
        if self.end is not None:
            kw["end"] = _iso(self.end)
        return kw


@dataclass(frozen=True)
class FundQuery:
    """Identity, NAV, AUM (``Ticker.info``) and components (``Ticker.funds_data``)."""

    ticker: str


@dataclass(frozen=True)
class UniverseQuery:
    """Daily prices for many tickers in one batched ``yfinance.download(**kwargs())``."""

    tickers: tuple[str, ...]
    start: date
    end: date | None = None
    threads: bool | int = True
    timeout: float = REQUEST_TIMEOUT

    def kwargs(self) -> dict:
        kw = {
            "tickers": list(self.tickers),
            "start": _iso(self.start),
            "auto_adjust": False,
            "actions": True,
            "group_by": "ticker",
            "threads": self.threads,
            "progress": False,
            "timeout": self.timeout,
        }
        if self.end is not None:
            kw["end"] = _iso(self.end)
        return kw


def price_query(ticker: str, start: date, end: date | None = None, timeout: float = REQUEST_TIMEOUT) -> PriceQuery:
    return PriceQuery(normalize_ticker(ticker), pd.Timestamp(start).date(), end, timeout)


def shares_query(ticker: str, start: date, end: date | None = None) -> SharesQuery:
    return SharesQuery(normalize_ticker(ticker), pd.Timestamp(start).date(), end)


def fund_query(ticker: str) -> FundQuery:
    return FundQuery(normalize_ticker(ticker))


def universe_query(
    tickers: Iterable[str], start: date, end: date | None = None, threads: bool | int = True,
    timeout: float = REQUEST_TIMEOUT,
) -> UniverseQuery:
    syms = tuple(sorted({normalize_ticker(t) for t in tickers}))
    if not syms:
        raise UsageError("no tickers given")
    return UniverseQuery(syms, pd.Timestamp(start).date(), end, threads, timeout)


@dataclass(frozen=True)
class TickerPlan:
    """What to fetch for one ticker; a None start skips that kind."""

    ticker: str
    price_start: date | None
    shares_start: date | None = None
    info: bool = True
    quote_type: str | None = None  # known from an earlier fetch, if any


def utc_date(moment: datetime) -> date:
    """The UTC calendar date of ``moment`` (naive = UTC)."""
    stamp = pd.Timestamp(moment)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.date()
