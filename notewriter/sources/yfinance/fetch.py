"""Fetching many tickers: run each plan's queries through extract, retry and normalize.

Prices are batched per start date; a failing ticker is recorded with a one-line message and
the others continue.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import pandas as pd

from notewriter.errors import DataError, UsageError

from . import extract
from .extract import extract_fund_data, extract_info, extract_prices, extract_shares, extract_universe
from .normalize import SharesData, normalize_fund_info, normalize_prices, normalize_shares, normalize_universe
from .query import FUND_TYPES, TickerPlan, fund_query, normalize_ticker, price_query, shares_query, universe_query
from .retry import CallFailed, RetryPolicy, Session


@dataclass
class TickerData:
    """What came back for one ticker (normalized), or why it did not."""

    ticker: str
    prices: pd.DataFrame | None = None
    shares: SharesData | None = None
    fund_info: dict | None = None
    quote_type: str | None = None
    error: str | None = None
    error_kind: str | None = None  # network | rate_limit | no_data | error
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class UniverseResult:
    """Per-ticker results of a fetch; failed tickers carry a one-line message."""

    data: dict[str, TickerData]

    @property
    def ok(self) -> list[str]:
        return sorted(t for t, d in self.data.items() if d.ok)

    @property
    def failed(self) -> dict[str, str]:
        return {t: d.error for t, d in sorted(self.data.items()) if not d.ok}


def _no_prices_message(ticker: str, start: date | None) -> str:
    since = f" since {start.isoformat()}" if start else ""
    return f"Yahoo Finance returned no prices for {ticker}{since} (unknown or delisted symbol, or no new sessions)"


def run_plans(
    plans: Iterable[TickerPlan], *, client=None, retry: RetryPolicy | None = None,
    complete_through: date | None = None, fetched_at: datetime | None = None, threads: bool | int = True,
    recheck: Callable[[], str | None] | None = None,
) -> UniverseResult:
    """Fetch what each plan asks for: prices batched per start date (one ``download`` per
    group, ``history`` for a lone ticker or one the batch left empty), then fund info and
    share counts per fund. A ticker's failure is recorded and the others continue.

    yfinance turns a dropped connection into an empty frame; ``recheck`` (a reachability
    probe returning a reason or None) tells that apart from a symbol without data.
    """
    # looked up on the module, so replacing extract.default_client reaches this call
    client = client if client is not None else extract.default_client()
    session = Session(retry or RetryPolicy())
    fetched_at = fetched_at or datetime.now(timezone.utc)
    plans = {p.ticker: p for p in (TickerPlan(normalize_ticker(p.ticker), p.price_start, p.shares_start, p.info,
                                              p.quote_type) for p in plans)}
    result = UniverseResult({t: TickerData(t, quote_type=p.quote_type) for t, p in sorted(plans.items())})

    groups: dict[date, list[str]] = {}
    for sym, plan in sorted(plans.items()):
        if plan.price_start is not None:
            groups.setdefault(plan.price_start, []).append(sym)

    for start, syms in sorted(groups.items()):
        pending = list(syms)
        if len(syms) > 1:
            query = universe_query(syms, start, threads=threads)
            try:
                frame = session.call(lambda q=query: extract_universe(q, client), f"prices for {len(syms)} tickers")
                batch = normalize_universe(frame, syms, complete_through=complete_through)
                for sym in syms:
                    if not batch[sym].empty:
                        result.data[sym].prices = batch[sym]
                pending = [s for s in syms if batch[s].empty]
            except CallFailed as exc:
                if exc.kind in ("network", "rate_limit"):
                    for sym in syms:
                        result.data[sym].error, result.data[sym].error_kind = exc.message, exc.kind
                    continue
            except DataError:
                pass  # an unexpected batch shape: fall back to one request per ticker
        for sym in pending:
            query = price_query(sym, start)
            try:
                frame = session.call(lambda q=query: extract_prices(q, client), f"{sym} prices")
                prices = normalize_prices(frame, sym, complete_through=complete_through)
            except CallFailed as exc:
                result.data[sym].error, result.data[sym].error_kind = exc.message, exc.kind
                continue
            except DataError as exc:
                result.data[sym].error, result.data[sym].error_kind = str(exc), "error"
                continue
            if prices.empty:
                reason = recheck() if recheck is not None else None
                if reason:
                    session.tripped = CallFailed("network", f"lost the connection to Yahoo Finance ({reason})")
                    result.data[sym].error, result.data[sym].error_kind = f"{sym} prices: {session.tripped.message}", \
                        "network"
                else:
                    result.data[sym].error = _no_prices_message(sym, start)
                    result.data[sym].error_kind = "no_data"
            else:
                result.data[sym].prices = prices

    for sym, plan in sorted(plans.items()):
        data = result.data[sym]
        if not data.ok:
            continue
        _fetch_fund_side(session, client, plan, data, fetched_at)
    return result


def _fetch_fund_side(session: Session, client, plan: TickerPlan, data: TickerData, fetched_at: datetime) -> None:
    """Fund info, top holdings and share counts; failures here are warnings, not ticker failures."""
    sym = plan.ticker
    info: dict = {}
    if plan.info:
        try:
            info = session.call(lambda: extract_info(fund_query(sym), client), f"{sym} fund info")
        except CallFailed as exc:
            data.warnings.append(exc.message)
        if info.get("quoteType"):
            data.quote_type = str(info["quoteType"]).upper()
    is_fund = data.quote_type is None or data.quote_type in FUND_TYPES
    if plan.info and is_fund:
        top, sectors = None, None
        try:
            top, sectors = session.call(lambda: extract_fund_data(fund_query(sym), client), f"{sym} fund holdings")
        except CallFailed as exc:
            if exc.kind == "no_data":
                data.warnings.append(f"Yahoo Finance has no fund holdings for {sym}")
            else:
                data.warnings.append(exc.message)
        data.fund_info = normalize_fund_info(sym, info, top, sectors, fetched_at=fetched_at) if (info or top is not None) \
            else None
        if data.fund_info is None:
            data.warnings.append(f"Yahoo Finance returned no fund info for {sym}")
    if plan.shares_start is not None and is_fund:
        try:
            series = session.call(lambda: extract_shares(shares_query(sym, plan.shares_start), client),
                                  f"{sym} share counts")
            data.shares = normalize_shares(series, sym)
        except CallFailed as exc:
            data.warnings.append(exc.message)
        except DataError as exc:
            data.warnings.append(str(exc))
        else:
            if data.shares.frame.empty:
                data.warnings.append(f"Yahoo Finance returned no share counts for {sym}")
            for day, counts in sorted(data.shares.duplicates.items()):
                data.warnings.append(
                    f"{sym} share count reported {len(counts)} times on {day} "
                    f"({', '.join(f'{c:,}' for c in counts)}); kept the last"
                )


def fetch_universe(
    tickers: Iterable[str], since: date, *, client=None, retry: RetryPolicy | None = None,
    kinds: Iterable[str] = ("prices", "shares", "info"), complete_through: date | None = None,
    fetched_at: datetime | None = None, threads: bool | int = True,
) -> UniverseResult:
    """Prices (one batched download), and for funds share counts and fund info, for every
    ticker since ``since``; each ticker's failure is listed in ``result.failed``."""
    kinds = set(kinds)
    unknown = kinds - {"prices", "shares", "info"}
    if unknown:
        raise UsageError(f"unknown data kind(s): {', '.join(sorted(unknown))} (use prices, shares, info)")
    start = pd.Timestamp(since).date()
    plans = [
        TickerPlan(normalize_ticker(t), start, start if "shares" in kinds else None, "info" in kinds)
        for t in dict.fromkeys(tickers)
    ]
    if not plans:
        raise UsageError("no tickers given")
    return run_plans(plans, client=client, retry=retry, complete_through=complete_through,
                     fetched_at=fetched_at, threads=threads)
