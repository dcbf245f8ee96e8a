"""What a refresh asks Yahoo Finance for, given what the cache already holds (no I/O beyond reading the cache)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd

from notewriter.sources.yfinance.query import FUND_TYPES, TickerPlan, utc_date

from .manifest import entry_of, parse_time
from .stored import read_cached_prices

#: history fetched for a ticker the cache does not have yet
DEFAULT_PRICE_YEARS = 5
DEFAULT_SHARES_DAYS = 548  # yfinance's own default for get_shares_full
#: fund info and share counts are re-fetched when older than this
SNAPSHOT_MAX_AGE = timedelta(hours=20)

_LISTED = re.compile(r"[A-Z][A-Z0-9.\-]{0,9}")
_CASH = re.compile(r"\b(cash|treasury sl agency|money market|futures?|fut\b)", re.I)
#: a component Yahoo had no prices for is not asked about again for this long
_MISSING_RETRY = timedelta(days=7)


def first_price_start(now: datetime, target: date) -> date:
    """Where the prices of a ticker not cached yet start: five years back, and enough history for
    52-week ranges and year-to-date at the target session, too."""
    return min(utc_date(now) - timedelta(days=366 * DEFAULT_PRICE_YEARS), target - timedelta(days=2 * 366))


def plan_ticker(
    ticker: str, manifest: dict, cache_dir: Path, since: date | None, target: date, now: datetime,
    refresh_snapshots: bool,
) -> tuple[TickerPlan, pd.DataFrame | None]:
    old = read_cached_prices(cache_dir, ticker)
    today = utc_date(now)
    price_start: date | None
    if old is None or old.empty:
        price_start = since or first_price_start(now, target)
    else:
        first, last = old["Date"].min().date(), old["Date"].max().date()
        if since is not None and since < first:
            price_start = since
        elif last < target:
            price_start = last  # one overlapping session, to re-base the adjusted close
        else:
            price_start = None
    quote_type = (entry_of(manifest, ticker, "info").get("quote_type") or None)
    is_fund = quote_type is None or quote_type in FUND_TYPES

    def due(kind: str) -> bool:
        fetched = parse_time(entry_of(manifest, ticker, kind).get("fetched_at"))
        return fetched is None or (refresh_snapshots and now - fetched > SNAPSHOT_MAX_AGE)

    info = is_fund and due("info")
    shares_start = None
    if is_fund and due("shares"):
        last_shares = entry_of(manifest, ticker, "shares").get("last_date")
        if since is not None:
            shares_start = since
        elif last_shares:
            shares_start = date.fromisoformat(last_shares)
        else:
            shares_start = today - timedelta(days=DEFAULT_SHARES_DAYS)
    return TickerPlan(ticker, price_start, shares_start, info, quote_type), old


def needs_network(plan: TickerPlan) -> bool:
    return plan.price_start is not None or plan.shares_start is not None or plan.info


def component_symbols(cache_dir: str | os.PathLike, funds: Iterable[str]) -> list[str]:
    """Symbols of the disclosed top holdings of ``funds`` (from their cached fund info) that
    look like listed tickers, without cash lines and without the funds themselves."""
    root = Path(cache_dir)
    funds = set(funds)
    out: set[str] = set()
    for fund in funds:
        path = root / "funds" / f"{fund}.json"
        if not path.is_file():
            continue
        try:
            info = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            continue
        for holding in info.get("topHoldings") or []:
            sym = str((holding or {}).get("symbol") or "").strip().upper()
            name = str((holding or {}).get("name") or "")
            if _LISTED.fullmatch(sym) and not _CASH.search(name) and sym not in funds:
                out.add(sym)
    return sorted(out)


def component_plans(root: Path, funds: list[str], target: date, now: datetime, manifest: dict,
                    new: bool = True) -> tuple[list[TickerPlan], dict[str, pd.DataFrame | None]]:
    """Price plans for the funds' top holdings that lag ``target`` (and, with ``new``, those not cached)."""
    plans, olds = [], {}
    for sym in component_symbols(root, funds):
        entry = entry_of(manifest, sym, "prices")
        if entry.get("role") is None and entry:
            continue  # fetched in its own right; refreshed when asked for
        old = olds[sym] = read_cached_prices(root, sym)
        if old is None or old.empty:
            if not new:
                continue
            tried = parse_time(entry.get("fetched_at")) if entry.get("missing") else None
            if tried is not None and now - tried < _MISSING_RETRY:
                continue
            start = first_price_start(now, target)
        elif old["Date"].max().date() < target:
            start = old["Date"].max().date()
        else:
            continue
        plans.append(TickerPlan(sym, start, None, False))
    return plans, olds
