"""Bring the cache up to date from Yahoo Finance: plan, fetch, merge into the cache files, record."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import pandas as pd

from notewriter import calendar
from notewriter.errors import UsageError
from notewriter.files import write_atomic
from notewriter.sources.yfinance import extract, reachability
from notewriter.sources.yfinance.fetch import TickerData, run_plans
from notewriter.sources.yfinance.normalize import PROVIDER, flat_run
from notewriter.sources.yfinance.query import TickerPlan, normalize_ticker
from notewriter.sources.yfinance.reachability import unreachable_error
from notewriter.sources.yfinance.retry import RetryPolicy

from .layout import init_cache, resolve_cache_dir
from .manifest import read_manifest, record
from .plans import component_plans, needs_network, plan_ticker
from .stored import cached_shares, merge_prices, merge_shares, read_cached_prices, write_prices


@dataclass
class TickerOutcome:
    """What a fetch did for one ticker."""

    ticker: str
    status: str  # updated | current | cached | failed
    message: str = ""
    rows_added: int = 0
    last_date: date | None = None
    error_kind: str | None = None  # network | rate_limit | no_data | error | not_cached
    warnings: list[str] = field(default_factory=list)


@dataclass
class FetchResult:
    """Per-ticker outcomes of :func:`fetch`."""

    cache_dir: Path
    outcomes: dict[str, TickerOutcome] = field(default_factory=dict)
    offline: bool = False
    contacted: bool = False  # whether Yahoo was asked for anything
    components: dict[str, TickerOutcome] = field(default_factory=dict)  # top holdings' prices

    @property
    def ok(self) -> list[str]:
        return sorted(t for t, o in self.outcomes.items() if o.status != "failed")

    @property
    def failed(self) -> dict[str, str]:
        return {t: o.message for t, o in sorted(self.outcomes.items()) if o.status == "failed"}

    @property
    def warnings(self) -> list[str]:
        return [w for _, o in sorted(self.outcomes.items()) for w in o.warnings]

    def lines(self) -> list[str]:
        """One human line per ticker, then warnings."""
        out = []
        for t, o in sorted(self.outcomes.items()):
            through = f" through {o.last_date.isoformat()}" if o.last_date else ""
            if o.status == "updated":
                out.append(f"{t}: {o.rows_added} new price row(s){through}")
            elif o.status == "current":
                out.append(f"{t}: already current{through}")
            elif o.status == "cached":
                out.append(f"{t}: cached{through}")
            else:
                out.append(f"{t}: FAILED: {o.message}")
        if self.components:
            missing = sorted(t for t, o in self.components.items() if o.status == "failed")
            done = len(self.components) - len(missing)
            line = f"components: prices for {done} of {len(self.components)} top holdings brought up to date"
            out.append(line + (f"; none for {', '.join(missing)}" if missing else ""))
        out.extend(f"warning: {w}" for w in self.warnings)
        return out

def fetch(
    tickers: Iterable[str], since: date | None = None, cache_dir: str | os.PathLike | None = None, client=None,
    offline: bool = False, *, now: datetime | None = None, retry: RetryPolicy | None = None,
    probe: Callable[[], str | None] | None = None, threads: bool | int = True, as_of: date | None = None,
    refresh_snapshots: bool = True, components: bool = True,
) -> FetchResult:
    """Bring the cache up to date for ``tickers`` from Yahoo Finance.

    Prices are fetched from the last cached session on (or from ``since``, or five years
    back, for a ticker not cached yet); fund info and share counts when older than
    ``SNAPSHOT_MAX_AGE``. Sessions still trading at ``now`` are not cached. With
    ``offline`` nothing is fetched: tickers are reported cached or failed (not cached).
    Raises SourceUnavailable (one line) when Yahoo cannot be reached at all; any other
    failure is recorded for its ticker and the rest continue. With ``components``, prices
    of the funds' disclosed top holdings are brought up to date too (one batched request),
    so notes can say how the largest components moved; their failures are only warnings.
    """
    syms = list(dict.fromkeys(normalize_ticker(t) for t in tickers))
    if not syms:
        raise UsageError("no tickers given")
    root = resolve_cache_dir(cache_dir)
    result = FetchResult(root, offline=offline)
    if offline:
        for sym in syms:
            old = read_cached_prices(root, sym) if root.is_dir() else None
            if old is None or old.empty:
                result.outcomes[sym] = TickerOutcome(
                    sym, "failed", f"{sym} is not in the cache at {root}", error_kind="not_cached")
            else:
                result.outcomes[sym] = TickerOutcome(sym, "cached", last_date=old["Date"].max().date())
        return result

    now = now or datetime.now(timezone.utc)
    since = pd.Timestamp(since).date() if since is not None else None
    complete = calendar.last_closed_session(now)
    target = min(complete, calendar.session_on_or_before(as_of).date()) if as_of is not None else complete
    root = init_cache(root)
    manifest = read_manifest(root)
    plans, olds = {}, {}
    for sym in syms:
        plans[sym], olds[sym] = plan_ticker(sym, manifest, root, since, target, now, refresh_snapshots)
        old = olds[sym]
        result.outcomes[sym] = TickerOutcome(sym, "current", last_date=None if old is None or old.empty
                                             else old["Date"].max().date())
    todo = [p for p in plans.values() if needs_network(p)]
    # components never fetched (or missing at Yahoo) are tried along with their funds only
    if not todo and not (components and component_plans(root, syms, target, now, manifest, new=False)[0]):
        return result

    probe = probe or reachability.unreachable_reason
    reason = probe()
    if reason:
        raise unreachable_error(reason, root)
    result.contacted = True
    client = client if client is not None else extract.default_client()
    retry = retry or RetryPolicy()
    refetch: dict[str, pd.DataFrame | None] = {}
    if todo:
        fetched = run_plans(todo, client=client, retry=retry, complete_through=complete, fetched_at=now,
                            threads=threads, recheck=probe)
        for plan in todo:
            sym, data, outcome = plan.ticker, fetched.data[plan.ticker], result.outcomes[plan.ticker]
            outcome.warnings.extend(data.warnings)
            if not data.ok and data.error_kind == "no_data" and olds[sym] is not None and not olds[sym].empty:
                outcome.warnings.append(f"{sym}: no new sessions from Yahoo Finance since {plan.price_start}")
            elif not data.ok:
                outcome.status, outcome.message, outcome.error_kind = "failed", data.error, data.error_kind
                continue
            if _absorb_prices(root, sym, olds[sym], data, outcome, now):
                refetch[sym] = olds[sym]
            _store_fund_side(root, sym, data, outcome, now)

    source_down = any(o.error_kind in ("network", "rate_limit") for o in result.outcomes.values())
    if components and not source_down:
        funds = [s for s in syms if result.outcomes[s].status != "failed"]
        comp_plans, comp_olds = component_plans(root, funds, target, now, read_manifest(root), new=bool(todo))
        if comp_plans:
            fetched = run_plans(comp_plans, client=client, retry=retry, complete_through=complete,
                                fetched_at=now, threads=threads, recheck=probe)
            for plan in comp_plans:
                sym, data = plan.ticker, fetched.data[plan.ticker]
                outcome = result.components[sym] = TickerOutcome(sym, "current")
                if not data.ok:
                    outcome.status, outcome.message, outcome.error_kind = "failed", data.error, data.error_kind
                    if data.error_kind == "no_data" and (comp_olds[sym] is None or comp_olds[sym].empty):
                        record(root, sym, "prices", source=PROVIDER, fetched_at=now, role="component",
                               missing=True)
                    continue
                if _absorb_prices(root, sym, comp_olds[sym], data, outcome, now, role="component"):
                    refetch[sym] = comp_olds[sym]

    if refetch:
        again = run_plans([TickerPlan(s, old["Date"].min().date(), None, False) for s, old in refetch.items()],
                          client=client, retry=retry, complete_through=complete, fetched_at=now,
                          threads=threads, recheck=probe)
        for sym, old in refetch.items():
            is_component = sym in result.components
            outcome, data = (result.components if is_component else result.outcomes)[sym], again.data[sym]
            if not data.ok:
                outcome.status, outcome.message, outcome.error_kind = "failed", data.error, data.error_kind
                continue
            outcome.warnings.append(f"{sym}: Yahoo re-based its prices (a split); fetched the full history again")
            _store_prices(root, sym, data.prices, old, outcome, now, role="component" if is_component else None)
    return result


def _absorb_prices(root: Path, sym: str, old: pd.DataFrame | None, data: TickerData, outcome: TickerOutcome,
                   now: datetime, role: str | None = None) -> bool:
    """Merge fetched prices into the cache; True when only a full re-fetch can be consistent."""
    if data.prices is None or data.prices.empty:
        return False
    merge = merge_prices(old, data.prices)
    if merge.needs_full_refetch:
        return True
    _store_prices(root, sym, merge.frame, old, outcome, now, role=role)
    return False


def _store_prices(root: Path, sym: str, frame: pd.DataFrame, old: pd.DataFrame | None, outcome: TickerOutcome,
                  now: datetime, role: str | None = None) -> None:
    write_prices(root, sym, frame)
    before = set() if old is None else set(old["Date"])
    outcome.rows_added = int(sum(1 for d in frame["Date"] if d not in before))
    outcome.last_date = frame["Date"].max().date()
    outcome.status = "updated" if outcome.rows_added else "current"
    record(root, sym, "prices", source=PROVIDER, fetched_at=now, last_date=outcome.last_date,
           first_date=frame["Date"].min().date().isoformat(), rows=int(len(frame)), role=role)


def _store_fund_side(root: Path, sym: str, data: TickerData, outcome: TickerOutcome, now: datetime) -> None:
    if data.fund_info is not None:
        path = root / "funds" / f"{sym}.json"
        info = dict(data.fund_info)
        if "topHoldings" not in info and path.is_file():
            try:
                previous = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError:
                previous = {}
            for key in ("topHoldings", "sectorWeightings"):
                if key in previous:
                    info[key] = previous[key]
                    outcome.warnings.append(f"{sym}: kept the previously cached {key}")
        write_atomic(path, json.dumps(info, indent=2, sort_keys=False, ensure_ascii=False) + "\n", fsync=True)
    if data.fund_info is not None or data.quote_type:
        record(root, sym, "info", source=PROVIDER, fetched_at=now, quote_type=data.quote_type,
               has_fund_info=data.fund_info is not None)
    if data.shares is not None:
        if not data.shares.frame.empty:
            merge_shares(root, data.shares.frame)
        history = cached_shares(root, sym)
        run = None
        if not history.empty:
            end = max(calendar.last_closed_session(now), history["date"].max().date())
            run = flat_run(history, as_of=end)
        if run is not None and run.stale:
            outcome.warnings.append(
                f"{sym}: the Yahoo share count has not changed since {run.since.isoformat()} "
                f"({run.sessions} sessions); flows estimated from it will read as zero"
            )
        record(root, sym, "shares", source=PROVIDER, fetched_at=now,
               last_date=None if history.empty else history["date"].max().date(),
               duplicates=data.shares.duplicates or None,
               flat_since=None if run is None else run.since.isoformat(),
               flat_sessions=None if run is None else run.sessions,
               stale=None if run is None else run.stale)
